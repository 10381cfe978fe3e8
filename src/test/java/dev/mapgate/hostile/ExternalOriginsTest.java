package dev.mapgate.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mapgate.testing.HttpOrigin;
import dev.mapgate.testing.RawClient;
import dev.mapgate.testing.ResponseReader;
import dev.mapgate.testing.TestSite;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each origin serves the site once started, and is gone, port and all, once closed. */
class ExternalOriginsTest {

    @TempDir
    Path dir;

    @ParameterizedTest(name = "[{0}]")
    @EnumSource(OriginKind.class)
    void servesTheSiteAndStopsCleanly(OriginKind kind) throws IOException {
        Path site = TestSite.hostile().writeTo(dir.resolve("site"));
        HttpOrigin origin = kind.start(site, dir);
        URI url = URI.create(origin.url());
        InetSocketAddress address = new InetSocketAddress(url.getHost(), url.getPort());
        try (RawClient client = RawClient.connect(address)) {
            ResponseReader.Response response = client.get(TestSite.SCRIPT);
            assertThat(response.status()).isEqualTo(200);
            assertThat(response.body()).isEqualTo(TestSite.hostile().content(TestSite.SCRIPT));
        } finally {
            origin.close();
        }
        assertThatThrownBy(() -> RawClient.connect(address).close())
                .as("%s must no longer listen once closed: a stray server would answer the next suite", kind)
                .isInstanceOf(IOException.class);
    }
}
