package dev.mapgate.fuzz;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.FileRegion;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Sits right after mapgate's codec and notes every response on its way out, as objects: where
 * each begins and ends, its status, and whether it came from a map. Passes everything on as is.
 */
final class ResponseRecorder extends ChannelOutboundHandlerAdapter {

    private final Set<String> mapEtags;
    final List<Outcome.Response> responses = new ArrayList<>();
    final List<String> anomalies = new ArrayList<>();
    int informational;
    private int status;
    private String etag;
    private String contentType;
    private ByteArrayOutputStream body;

    ResponseRecorder(Set<String> mapEtags) {
        this.mapEtags = mapEtags;
    }

    boolean inResponse() {
        return body != null;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof HttpResponse response && response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            informational++;
            if (body != null) {
                anomalies.add("[framing] a " + response.status().code() + " was written in the middle of a response");
            }
            ctx.write(msg, promise);
            return;
        }
        if (msg instanceof HttpResponse response) {
            if (body != null) {
                anomalies.add("[framing] response " + response.status().code() + " began before the previous one ended");
            }
            status = response.status().code();
            etag = response.headers().get(HttpHeaderNames.ETAG);
            contentType = response.headers().get(HttpHeaderNames.CONTENT_TYPE);
            body = new ByteArrayOutputStream();
        }
        if (msg instanceof HttpContent || msg instanceof FileRegion) {
            if (body == null) {
                anomalies.add("[framing] " + msg.getClass().getSimpleName() + " written outside any response");
            } else if (msg instanceof HttpContent content) {
                ByteBuf buf = content.content();
                try {
                    buf.getBytes(buf.readerIndex(), body, buf.readableBytes());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else {
                copy((FileRegion) msg, body);
            }
        }
        if (msg instanceof LastHttpContent && body != null) {
            responses.add(Outcome.Response.of(status, body.toByteArray(), etag, contentType, mapEtags));
            body = null;
        }
        ctx.write(msg, promise);
    }

    /** Every byte of a file region, read without moving it. */
    static void copy(FileRegion region, ByteArrayOutputStream out) {
        WritableByteChannel target = Channels.newChannel(out);
        try {
            long done = 0;
            while (done < region.count()) {
                long n = region.transferTo(target, done);
                if (n <= 0) {
                    break;
                }
                done += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
