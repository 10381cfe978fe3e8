package dev.mapgate.soak;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.testing.MapgateJvm;
import dev.mapgate.testing.TestSite;
import java.net.InetSocketAddress;
import java.util.List;

/** Netty's leak reports from a mapgate process run with the paranoid leak detector. */
final class LeakReports {

    private LeakReports() {
    }

    /**
     * A leaked buffer is reported once it has been collected and a later buffer is tracked:
     * collect, let a few requests allocate, twice, then read what mapgate printed.
     */
    static List<String> collect(MapgateJvm mapgate, ChildJvm jvm, InetSocketAddress address, TestSite site)
            throws Exception {
        for (int round = 0; round < 2; round++) {
            jvm.liveHeapBytes();
            MixedLoad load = MixedLoad.start(address, site, 1);
            Thread.sleep(500);
            assertThat(load.stop().failures()).as("requests that make the detector report").isEmpty();
        }
        Thread.sleep(500); // the output pump reads behind the process
        return mapgate.output().stream().filter(line -> line.contains("LEAK:")).toList();
    }
}
