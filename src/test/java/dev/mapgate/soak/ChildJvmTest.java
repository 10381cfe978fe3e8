package dev.mapgate.soak;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/** The soak's heap figure: read from a real class histogram, to the byte. */
class ChildJvmTest {

    @Test
    void readsTheLiveBytesFromThisJvmsOwnClassHistogram() throws Exception {
        String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
        long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();

        long live = ChildJvm.totalBytes(histogram);

        assertThat(live).as("this test JVM keeps at least a few MiB alive").isGreaterThan(1 << 20);
        assertThat(live).as("no more than the heap holds right after the histogram's collection")
                .isLessThanOrEqualTo(used + (16 << 20));
        assertThat(live % (1 << 20)).as("to the byte, not in MiB steps").isNotZero();
    }
}
