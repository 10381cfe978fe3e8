package dev.mapgate.origin;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;

/**
 * Removes the headers that describe one connection rather than the message (RFC 9110 section
 * 7.6.1), so each side of the proxy negotiates its own. {@code Transfer-Encoding} stays: Netty's
 * codecs re-frame the body from it on the way out. {@code Upgrade} and {@code HTTP2-Settings}
 * (h2c) always go: mapgate never upgrades a connection, and neither may the origin on its behalf.
 */
final class HopByHop {

    private static final List<CharSequence> ALWAYS = List.of(
            HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE, HttpHeaderNames.PROXY_CONNECTION,
            HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.UPGRADE, ForwardedHeaders.HTTP2_SETTINGS,
            HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION);

    private HopByHop() {
    }

    static void strip(HttpHeaders headers) {
        // Most messages carry no Connection header; asking first spares them a list.
        if (!headers.contains(HttpHeaderNames.CONNECTION)) {
            removeAlways(headers);
            return;
        }
        for (String connection : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String name : connection.split(",")) {
                String trimmed = name.trim();
                // Never let a peer make us drop framing or identity headers by listing them.
                if (!trimmed.isEmpty() && !isProtected(trimmed)) {
                    headers.remove(trimmed);
                }
            }
        }
        removeAlways(headers);
    }

    private static void removeAlways(HttpHeaders headers) {
        for (CharSequence name : ALWAYS) {
            headers.remove(name);
        }
    }

    private static boolean isProtected(String name) {
        return HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(name)
                || HttpHeaderNames.TRANSFER_ENCODING.contentEqualsIgnoreCase(name)
                || HttpHeaderNames.HOST.contentEqualsIgnoreCase(name)
                || ForwardedHeaders.X_FORWARDED_FOR.contentEqualsIgnoreCase(name);
    }
}
