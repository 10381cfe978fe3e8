package dev.mapgate.exchange;

import dev.mapgate.config.GateSettings;
import dev.mapgate.gate.Site;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/** The short responses mapgate writes itself: denials and errors. */
public final class Responses {

    private Responses() {
    }

    /**
     * The gate's denial: {@code gate.deny-status}, with a Basic challenge on a 401 when Basic users
     * exist. The same whatever the reason, so a client cannot tell one from another.
     */
    public static FullHttpResponse denial(ByteBufAllocator alloc, GateSettings gate, boolean head) {
        return denial(alloc, gate, gate.sites().unnamed(), head);
    }

    /** The denial of {@code site}: its deny status, and a Basic challenge on a 401 when it has Basic users. */
    public static FullHttpResponse denial(ByteBufAllocator alloc, GateSettings gate, Site site, boolean head) {
        FullHttpResponse denial = plain(alloc, HttpResponseStatus.valueOf(site.denyStatus()), head);
        if (site.denyStatus() == 401 && site.offersBasic()) {
            denial.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"" + gate.realm() + "\"");
        }
        return denial;
    }

    /**
     * A plain-text response whose body is only the status line's text, so that a denial looks the
     * same whatever its reason. {@code Cache-Control: no-store} keeps it out of every cache: a
     * cached denial would lock Sentry out for as long as the cache keeps it.
     *
     * @param head the request was HEAD: same headers, no body
     */
    public static FullHttpResponse plain(ByteBufAllocator alloc, HttpResponseStatus status, boolean head) {
        String text = status.code() + " " + status.reasonPhrase() + "\n";
        ByteBuf body = head ? alloc.buffer(0, 0) : ByteBufUtil.writeAscii(alloc, text);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN + "; charset=utf-8")
                .set(HttpHeaderNames.CONTENT_LENGTH, text.length())
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        return response;
    }
}
