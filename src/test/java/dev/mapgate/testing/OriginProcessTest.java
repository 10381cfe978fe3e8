package dev.mapgate.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How an origin process finds a port: one taken in the meantime is not the end of the suite. */
@Heavy
class OriginProcessTest {

    @TempDir
    Path dir;

    @Test
    void aPortTakenBeforeTheServerBindsItIsRetriedOnAnother() throws Exception {
        Path site = Files.createDirectories(dir.resolve("site"));
        Files.writeString(site.resolve("index.html"), "probe");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int freePort = free.getLocalPort();
            free.close();
            ArrayDeque<Integer> ports = new ArrayDeque<>(List.of(taken.getLocalPort(), freePort));
            try (OriginProcess origin = OriginProcess.start("python http.server",
                    PythonOrigin.command(RequiredTools.python3(), site), dir.resolve("work"), site, "/index.html",
                    ports::removeFirst)) {
                assertThat(URI.create(origin.url()).getPort()).as("the second port, after the first was in use")
                        .isEqualTo(freePort);
            }
        }
    }
}
