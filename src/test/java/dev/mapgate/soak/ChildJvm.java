package dev.mapgate.soak;

import com.sun.tools.attach.VirtualMachine;
import dev.mapgate.testing.MapgateJvm;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.RuntimeMXBean;
import java.util.List;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * Looks inside another JVM on this machine through the attach API and its local JMX agent
 * (nothing listens on a port): its command line, and its heap right after a full collection,
 * which is what it really keeps alive, where the heap in use at any moment mostly measures how
 * long ago the last collection was.
 */
final class ChildJvm implements AutoCloseable {

    private final JMXConnector connector;
    private final MBeanServerConnection server;
    private final RuntimeMXBean runtime;

    private ChildJvm(JMXConnector connector) throws IOException {
        this.connector = connector;
        this.server = connector.getMBeanServerConnection();
        this.runtime = ManagementFactory.newPlatformMXBeanProxy(connector.getMBeanServerConnection(),
                ManagementFactory.RUNTIME_MXBEAN_NAME, RuntimeMXBean.class);
    }

    /** Attaches once mapgate has printed its startup line: attaching to a JVM still starting fails. */
    static ChildJvm attach(MapgateJvm mapgate) throws Exception {
        mapgate.awaitPort();
        VirtualMachine vm = VirtualMachine.attach(Long.toString(mapgate.pid()));
        try {
            return new ChildJvm(JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent())));
        } finally {
            vm.detach();
        }
    }

    /**
     * The bytes of every object still reachable, from a class histogram ({@code jcmd GC.class_histogram}),
     * which runs a full collection first and then counts object by object. The heap's "used"
     * figure would not do: G1 reports it by the region, in steps of a MiB, about the size of the
     * growth a soak must catch.
     */
    long liveHeapBytes() throws IOException {
        String histogram;
        try {
            histogram = (String) server.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "gcClassHistogram", new Object[] {new String[0]}, new String[] {String[].class.getName()});
        } catch (JMException e) {
            throw new IOException("no class histogram from mapgate's JVM", e);
        }
        return totalBytes(histogram);
    }

    /** The last column of the histogram's "Total" line. */
    static long totalBytes(String histogram) {
        for (String line : histogram.split("\n")) {
            String[] words = line.trim().split("\\s+");
            if (words.length == 3 && words[0].equals("Total")) {
                return Long.parseLong(words[2]);
            }
        }
        throw new IllegalArgumentException("no Total line in the class histogram: "
                + histogram.substring(Math.max(0, histogram.length() - 200)));
    }

    List<String> jvmOptions() {
        return runtime.getInputArguments();
    }

    @Override
    public void close() throws IOException {
        connector.close();
    }
}
