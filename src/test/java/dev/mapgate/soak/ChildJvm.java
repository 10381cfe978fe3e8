package dev.mapgate.soak;

import com.sun.tools.attach.VirtualMachine;
import dev.mapgate.testing.MapgateProcess;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.RuntimeMXBean;
import java.util.List;
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
    private final MemoryMXBean memory;
    private final RuntimeMXBean runtime;

    private ChildJvm(JMXConnector connector) throws IOException {
        this.connector = connector;
        this.memory = ManagementFactory.newPlatformMXBeanProxy(connector.getMBeanServerConnection(),
                ManagementFactory.MEMORY_MXBEAN_NAME, MemoryMXBean.class);
        this.runtime = ManagementFactory.newPlatformMXBeanProxy(connector.getMBeanServerConnection(),
                ManagementFactory.RUNTIME_MXBEAN_NAME, RuntimeMXBean.class);
    }

    /** Attaches once mapgate has printed its startup line: attaching to a JVM still starting fails. */
    static ChildJvm attach(MapgateProcess mapgate) throws Exception {
        mapgate.awaitPort();
        VirtualMachine vm = VirtualMachine.attach(Long.toString(mapgate.pid()));
        try {
            return new ChildJvm(JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent())));
        } finally {
            vm.detach();
        }
    }

    /** Runs a full collection (System.gc(), which waits for it) and returns the heap still in use. */
    long liveHeapBytes() {
        memory.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    List<String> jvmOptions() {
        return runtime.getInputArguments();
    }

    @Override
    public void close() throws IOException {
        connector.close();
    }
}
