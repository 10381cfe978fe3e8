package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.mapgate.config.ListenSettings;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.TestMapgate;
import dev.mapgate.testing.TestOrigin;
import io.netty.channel.epoll.Epoll;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** listen.transport: epoll where it loads, NIO otherwise, and the gate behaves the same on both. */
class TransportTest {

    private static final String TOKEN = "transport-token-0123456789";

    @TempDir
    Path dir;

    @Test
    void autoPicksEpollWhereTheNativeLibraryLoadsAndNioElsewhere() {
        Transport auto = Transport.choose(ListenSettings.Transport.AUTO);

        assertThat(auto.name()).isEqualTo(Epoll.isAvailable() ? "epoll" : "nio");
        assertThat(Transport.choose(ListenSettings.Transport.NIO).name()).isEqualTo("nio");
    }

    @Test
    void epollWhereItCannotLoadFailsStartupNamingTheKey() {
        assumeThat(Epoll.isAvailable()).as("only where epoll does not load").isFalse();

        assertThatThrownBy(() -> Transport.choose(ListenSettings.Transport.EPOLL))
                .hasMessageContaining("mapgate.listen.transport");
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "auto"})
    void bothTransportsPassAssetsAndGateMaps(String transport) throws Exception {
        try (TestOrigin origin = new TestOrigin();
             TestMapgate mapgate = TestMapgate.start(dir, """
                     listen.transport = %s
                     origin.url = "%s"
                     gate { allow-ips = ["127.0.0.1"], token.tokens = [ { name = "sentry", value = "%s" } ] }
                     """.formatted(transport, origin.url(), TOKEN));
             RawClient client = mapgate.connect()) {
            assertThat(client.get("/assets/app.js").bodyText()).isEqualTo(TestOrigin.APP_JS);
            assertThat(client.get("/assets/app.js.map").status()).isEqualTo(404);
            assertThat(client.get("/assets/app.js.map", "X-Sentry-Token: " + TOKEN).bodyText())
                    .isEqualTo(TestOrigin.APP_MAP);
        }
    }
}
