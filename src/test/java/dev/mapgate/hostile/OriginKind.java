package dev.mapgate.hostile;

import dev.mapgate.testing.HttpOrigin;
import dev.mapgate.testing.LenientOrigin;
import dev.mapgate.testing.NginxOrigin;
import dev.mapgate.testing.PythonOrigin;
import dev.mapgate.testing.RequiredTools;
import java.nio.file.Path;

/** The origins the hostile suites put behind mapgate: each resolves paths its own way. */
enum OriginKind {

    /** Decodes, merges slashes, resolves dot segments; what many asset hosts run. */
    NGINX {
        @Override
        HttpOrigin start(Path site, Path workDir) {
            return NginxOrigin.start(RequiredTools.nginx(), site, workDir.resolve("nginx"), HostileSite.INDEX);
        }
    },
    /** Decodes first, then normalises. */
    PYTHON {
        @Override
        HttpOrigin start(Path site, Path workDir) {
            return PythonOrigin.start(RequiredTools.python3(), site, workDir.resolve("python"), HostileSite.INDEX);
        }
    },
    /** Every lenient resolution at once; records what reached it. */
    LENIENT {
        @Override
        HttpOrigin start(Path site, Path workDir) {
            return LenientOrigin.start(site);
        }
    };

    /**
     * Starts this origin serving {@code site}; skips the calling test (or fails it, when origins
     * are required) if the server is not installed.
     */
    abstract HttpOrigin start(Path site, Path workDir);

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
