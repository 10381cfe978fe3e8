package dev.mapgate.reload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.config.LiveSettings;
import dev.mapgate.config.Settings;
import dev.mapgate.config.SettingsLoader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RestartOnlyTest {

    @TempDir
    Path dir;

    @Test
    void theSameFileNeedsNoRestart() throws IOException {
        Settings a = load("");

        assertThat(RestartOnly.changedKeys(a, load(""))).isEmpty();
    }

    @Test
    void theOriginConnectionCapWaitsForARestart() throws IOException {
        Settings running = load("");
        Settings loaded = load("origin.max-connections = 8\n");

        assertThat(RestartOnly.changedKeys(running, loaded)).containsExactly("mapgate.origin");
        assertThat(applied(running, loaded).origin().maxConnections())
                .as("the pools were sized at startup").isEqualTo(running.origin().maxConnections());
    }

    @Test
    void listenerOriginAndAdminChangesAreNamedAndKeptWhileTheGateAndLimitsApply() throws IOException {
        Settings running = load("");
        Settings loaded = load("""
                listen { port = 9000, io-threads = 3, max-connections = 10, max-header-count = 50, hosts = ["a.example"] }
                admin.port = 9191
                origin.connect-timeout = 1s
                gate.deny-status = 403
                shutdown.grace = 3s
                """);

        assertThat(RestartOnly.changedKeys(running, loaded)).containsExactly("mapgate.listen.port",
                "mapgate.listen.io-threads", "mapgate.listen.max-connections", "mapgate.origin", "mapgate.admin");

        Settings applied = applied(running, loaded);
        assertThat(applied.listen().port()).isEqualTo(running.listen().port());
        assertThat(applied.listen().ioThreads()).isEqualTo(running.listen().ioThreads());
        assertThat(applied.listen().maxConnections()).isEqualTo(running.listen().maxConnections());
        assertThat(applied.origin()).isEqualTo(running.origin());
        assertThat(applied.admin()).isEqualTo(running.admin());
        assertThat(applied.listenRules().maxHeaderCount()).isEqualTo(50);
        assertThat(applied.listenRules().hosts().isEmpty()).as("listen.hosts is applied").isFalse();
        assertThat(applied.gate().denyStatus()).isEqualTo(403);
        assertThat(applied.shutdown().grace().toSeconds()).isEqualTo(3);
        assertThat(RestartOnly.changedKeys(running, applied)).as("what is applied needs no restart").isEmpty();
    }

    @Test
    void theAdminListenersLimitsNeedARestartLikeTheRestOfAdmin() throws IOException {
        Settings running = load("");
        Settings loaded = load("admin { header-timeout = 1s, idle-timeout = 1m, max-connections = 8 }");

        assertThat(RestartOnly.changedKeys(running, loaded)).containsExactly("mapgate.admin");
        assertThat(applied(running, loaded).admin()).isEqualTo(running.admin());
    }

    private Settings load(String extra) throws IOException {
        Files.createDirectories(dir.resolve("site"));
        Path file = Files.createTempFile(dir, "m", ".conf");
        Files.writeString(file, """
                mapgate {
                  origin.directory = "site"
                  gate { allow-ips = ["127.0.0.1"], require = [ip] }
                  %s
                }
                """.formatted(extra));
        return SettingsLoader.load(file);
    }

    /** What a reload puts in force, the way ConfigReloader does it. */
    private static Settings applied(Settings running, Settings loaded) {
        LiveSettings live = new LiveSettings(running);
        live.replace(loaded.reloadable());
        return live.get();
    }
}
