package dev.mapgate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** The build's leak guard must itself work, or every "no leak" in this suite means nothing. */
class LeakCheckExtensionTest {

    @Test
    void aBufferThatIsNeverReleasedIsReported() throws Exception {
        leakOne();
        assertThat(LeakCheckExtension.detectLeaks())
                .as("paranoid leak detection must report the dropped buffer")
                .anyMatch(report -> report.contains("LEAK"));
    }

    @Test
    void releasedBuffersAreNotReported() throws Exception {
        LeakCheckExtension.detectLeaks();
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(64);
        buf.writeLong(1).release();
        assertThat(LeakCheckExtension.detectLeaks()).isEmpty();
    }

    private static void leakOne() {
        PooledByteBufAllocator.DEFAULT.directBuffer(64).writeInt(42);
    }
}
