package dev.mapgate.server;

import dev.mapgate.gate.Authority;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import java.util.List;

/**
 * The header-level rules a request must follow before mapgate trusts where it ends and which host
 * it is for. Netty's decoder accepts each of these cases in some lenient way; a server behind or
 * in front of mapgate may read the same bytes differently, which is how requests get smuggled.
 * So every one of them is refused rather than repaired.
 */
final class FramingRules {

    private final int maxHeaderCount;

    FramingRules(int maxHeaderCount) {
        this.maxHeaderCount = maxHeaderCount;
    }

    /**
     * @return the broken rule, to become the request's decoder failure, or {@code null} when the
     *         request may be served. Too many headers is a {@link TooLongHttpHeaderException}, so
     *         the client gets the same 431 as for too many header bytes.
     */
    Exception check(HttpVersion version, HttpHeaders headers) {
        if (headers.size() > maxHeaderCount) {
            return new TooLongHttpHeaderException("more than " + maxHeaderCount + " header fields");
        }
        String host = hostProblem(version, headers.getAll(HttpHeaderNames.HOST));
        if (host != null) {
            return new IllegalArgumentException(host);
        }
        String framing = bodyFramingProblem(version, headers);
        return framing == null ? null : new IllegalArgumentException(framing);
    }

    private static String hostProblem(HttpVersion version, List<String> hosts) {
        if (hosts.size() > 1) {
            return "more than one Host header";
        }
        if (hosts.isEmpty()) {
            // HTTP/1.0 predates Host; RFC 9112 section 3.2 requires it from HTTP/1.1 on.
            return HttpVersion.HTTP_1_1.equals(version) ? "no Host header in an HTTP/1.1 request" : null;
        }
        try {
            Authority.parse(hosts.get(0));
            return null;
        } catch (IllegalArgumentException e) {
            return "Host is not a valid host[:port]: " + e.getMessage();
        }
    }

    /**
     * Only one body framing is accepted: {@code Content-Length}, or exactly one {@code
     * Transfer-Encoding: chunked}, or neither for no body. Any other coding, a list, or both headers leave servers to
     * guess which one ends the body (RFC 9112 sections 6.1 and 6.3).
     */
    private static String bodyFramingProblem(HttpVersion version, HttpHeaders headers) {
        if (headers.contains(HttpHeaderNames.SEC_WEBSOCKET_KEY1) && headers.contains(HttpHeaderNames.SEC_WEBSOCKET_KEY2)) {
            // The obsolete Hixie-76 handshake: Netty gives such a request an 8-byte body that no
            // header announces, which an origin would read as the start of the next request.
            return "Sec-WebSocket-Key1 and Key2 (Hixie-76) imply a body without Content-Length";
        }
        List<String> codings = headers.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (codings.isEmpty()) {
            return null;
        }
        if (!HttpVersion.HTTP_1_1.equals(version)) {
            // An HTTP/1.0 server does not know chunked framing and would read the chunks as the body.
            return "Transfer-Encoding in an HTTP/1.0 request";
        }
        if (codings.size() > 1 || !"chunked".equalsIgnoreCase(codings.get(0))) {
            return "Transfer-Encoding other than a single chunked";
        }
        if (headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            return "Content-Length together with Transfer-Encoding";
        }
        return null;
    }
}
