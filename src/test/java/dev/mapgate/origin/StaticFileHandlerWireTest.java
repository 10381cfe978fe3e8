package dev.mapgate.origin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.exchange.Admissions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.FileRegion;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import dev.mapgate.flow.DemandHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The handler behind the real codec and flow control, with AUTO_READ off as in the server: checks
 * that it pulls the request's end itself and that the bytes on the wire are a well-framed response.
 */
class StaticFileHandlerWireTest {

    private static final String MAP = "{\"version\":3,\"mappings\":\"AAAA\"}";

    @TempDir
    Path root;

    private EmbeddedChannel channel;

    @BeforeEach
    void setUp() throws IOException {
        Files.writeString(root.resolve("app.js.map"), MAP, StandardCharsets.UTF_8);
        channel = new EmbeddedChannel();
        // Turned off before the handlers are added, so no read demand is pending when they arrive.
        channel.config().setAutoRead(false);
        channel.pipeline().addLast(new HttpServerCodec(), new DemandHandler(), new Admissions.AdmitAll(),
                new StaticFileHandler(root));
    }

    @AfterEach
    void tearDown() {
        assertThat(channel.finishAndReleaseAll()).as("all output must have been consumed").isFalse();
    }

    private String exchange(String method, String rawRequest) throws IOException {
        channel.writeInbound(Unpooled.copiedBuffer(rawRequest, StandardCharsets.US_ASCII));
        assertThat(channel.outboundMessages()).as("nothing happens before the first read()").isEmpty();
        channel.read();
        return drainOutbound();
    }

    private String drainOutbound() throws IOException {
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        WritableByteChannel sink = Channels.newChannel(wire);
        Object message;
        while ((message = channel.readOutbound()) != null) {
            try {
                if (message instanceof ByteBuf buf) {
                    buf.readBytes(wire, buf.readableBytes());
                } else if (message instanceof FileRegion region) {
                    while (region.transferred() < region.count()) {
                        region.transferTo(sink, region.transferred());
                    }
                }
            } finally {
                ReferenceCountUtil.release(message);
            }
        }
        return wire.toString(StandardCharsets.UTF_8);
    }

    @Test
    void sentryStyleGetProducesAWellFramed206OnTheWire() throws IOException {
        String wire = exchange("GET", "GET /app.js.map HTTP/1.1\r\nHost: cdn.example\r\n"
                + "User-Agent: symbolicator/26.8.0\r\nRange: bytes=0-134217727\r\n\r\n");

        assertThat(wire)
                .as("the handler must read the request's end by itself, then answer")
                .startsWith("HTTP/1.1 206 Partial Content\r\n");
        assertThat(wire).contains("content-range: bytes 0-" + (MAP.length() - 1) + "/" + MAP.length() + "\r\n");
        assertThat(wire).contains("content-length: " + MAP.length() + "\r\n");
        assertThat(wire).as("the body follows the headers exactly, with nothing after it")
                .endsWith("\r\n\r\n" + MAP);
    }

    @Test
    void headOnTheWireCarriesTheLengthButNoBody() throws IOException {
        String wire = exchange("HEAD", "HEAD /app.js.map HTTP/1.1\r\nHost: cdn.example\r\n\r\n");

        assertThat(wire).startsWith("HTTP/1.1 200 OK\r\n");
        assertThat(wire).contains("content-length: " + MAP.length() + "\r\n");
        assertThat(wire).as("a HEAD body would be read as the next response").endsWith("\r\n\r\n");
    }

    @Test
    void nextPipelinedRequestIsLeftForUpstreamToRead() throws IOException {
        String first = exchange("GET", "GET /app.js.map HTTP/1.1\r\nHost: a\r\n\r\n"
                + "GET /app.js.map HTTP/1.1\r\nHost: a\r\n\r\n");

        assertThat(first).endsWith(MAP);
        assertThat(first.indexOf("HTTP/1.1 200"))
                .as("only one response: the keep-alive decision and the next read belong upstream")
                .isEqualTo(first.lastIndexOf("HTTP/1.1 200"));
        channel.read();
        assertThat(drainOutbound()).as("upstream's read() serves the next request").endsWith(MAP);
    }
}
