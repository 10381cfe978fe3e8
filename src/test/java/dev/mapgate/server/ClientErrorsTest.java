package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.testing.LogCapture;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import org.junit.jupiter.api.Test;

class ClientErrorsTest {

    @Test
    void anErrorNobodyHandledEndsTheConnectionWithoutAWarning() {
        EmbeddedChannel channel = new EmbeddedChannel(ClientErrors.INSTANCE);
        int warningsBefore = warnings();

        channel.pipeline().fireExceptionCaught(new IOException("Connection reset by peer"));

        assertThat(channel.isOpen()).as("a broken connection is not kept").isFalse();
        channel.checkException();
        assertThat(warnings()).as("clients reset connections all day; that is no warning").isEqualTo(warningsBefore);
        channel.finishAndReleaseAll();
    }

    private static int warnings() {
        return (int) LogCapture.lines().stream().filter(l -> l.contains(" WARN ") || l.contains("exceptionCaught")).count();
    }
}
