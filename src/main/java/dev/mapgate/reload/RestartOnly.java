package dev.mapgate.reload;

import dev.mapgate.config.ListenSettings;
import dev.mapgate.config.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The settings a reload cannot apply: they are bound to sockets, threads or pools made at
 * startup. Changing the listener's port in place would mean a moment with no listener, or two;
 * rather than half-apply such a change, a reload keeps the running value and says a restart is
 * needed.
 */
public final class RestartOnly {

    private RestartOnly() {
    }

    /** Key paths whose value in {@code loaded} differs from {@code running} and needs a restart. */
    public static List<String> changedKeys(Settings running, Settings loaded) {
        List<String> changed = new ArrayList<>();
        ListenSettings a = running.listen();
        ListenSettings b = loaded.listen();
        differs(changed, "mapgate.listen.host", a.host(), b.host());
        differs(changed, "mapgate.listen.port", a.port(), b.port());
        differs(changed, "mapgate.listen.io-threads", a.ioThreads(), b.ioThreads());
        differs(changed, "mapgate.listen.max-connections", a.maxConnections(), b.maxConnections());
        differs(changed, "mapgate.listen.tls", a.tls(), b.tls());
        differs(changed, "mapgate.listen.transport", a.transport(), b.transport());
        differs(changed, "mapgate.gate.throttle.max-tracked", running.gate().throttle().maxTracked(),
                loaded.gate().throttle().maxTracked());
        differs(changed, "mapgate.origin", running.origin(), loaded.origin());
        differs(changed, "mapgate.admin", running.admin(), loaded.admin());
        differs(changed, "mapgate.reload.check-interval", running.reloadInterval(), loaded.reloadInterval());
        return changed;
    }

    /**
     * The snapshot to put in force: {@code loaded}, except that everything {@link #changedKeys}
     * looks at keeps its running value. So the live snapshot always describes what is really in
     * force.
     */
    public static Settings applicable(Settings running, Settings loaded) {
        ListenSettings a = running.listen();
        ListenSettings b = loaded.listen();
        ListenSettings listen = new ListenSettings(a.host(), a.port(), a.ioThreads(), b.hosts(),
                b.maxInitialLineLength(), b.maxHeaderSize(), b.maxHeaderCount(), b.headerTimeout(),
                b.keepAliveTimeout(), b.bodyTimeout(), b.idleTimeout(), a.maxConnections(), b.proxyProtocol(),
                a.tls(), a.transport());
        return new Settings(listen, running.origin(), loaded.gate(), loaded.clientIp(), running.admin(),
                loaded.shutdown(), running.reloadInterval(), loaded.sources(), loaded.warnings());
    }

    private static void differs(List<String> changed, String key, Object a, Object b) {
        if (!Objects.equals(a, b)) {
            changed.add(key);
        }
    }
}
