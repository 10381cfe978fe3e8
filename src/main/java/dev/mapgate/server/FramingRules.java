package dev.mapgate.server;

import dev.mapgate.gate.Authority;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import java.util.List;
import java.util.Set;

/**
 * The header-level rules a request must follow before mapgate trusts where it ends and which host
 * it is for. Netty's decoder accepts each of these cases in some lenient way; a server behind or
 * in front of mapgate may read the same bytes differently, which is how requests get smuggled.
 * So every one of them is refused rather than repaired.
 */
final class FramingRules {

    /**
     * Methods whose content RFC 9110 gives no meaning (sections 9.3.1 to 9.3.8). Origins differ on
     * whether they read such a body at all: one that does not takes it for the next request on its
     * connection, which mapgate shares between clients. That is a request smuggled past the gate.
     */
    private static final Set<HttpMethod> NO_CONTENT_METHODS = Set.of(HttpMethod.GET, HttpMethod.HEAD,
            HttpMethod.OPTIONS, HttpMethod.TRACE, HttpMethod.CONNECT);

    private final int maxHeaderCount;

    FramingRules(int maxHeaderCount) {
        this.maxHeaderCount = maxHeaderCount;
    }

    /**
     * @return the broken rule, to become the request's decoder failure, or {@code null} when the
     *         request may be served. Too many headers is a {@link TooLongHttpHeaderException}, so
     *         the client gets the same 431 as for too many header bytes.
     */
    Exception check(HttpMethod method, HttpVersion version, HttpHeaders headers) {
        if (headers.size() > maxHeaderCount) {
            return new TooLongHttpHeaderException("more than " + maxHeaderCount + " header fields");
        }
        String host = hostProblem(version, headers.getAll(HttpHeaderNames.HOST));
        if (host != null) {
            return new IllegalArgumentException(host);
        }
        String framing = bodyFramingProblem(version, headers);
        if (framing == null) {
            framing = contentProblem(method, headers);
        }
        return framing == null ? null : new IllegalArgumentException(framing);
    }

    /** Called once the framing itself is sound, so Content-Length holds one number if any. */
    private static String contentProblem(HttpMethod method, HttpHeaders headers) {
        if (!NO_CONTENT_METHODS.contains(method)) {
            return null;
        }
        if (headers.contains(HttpHeaderNames.TRANSFER_ENCODING) || hasContentLengthAboveZero(headers)) {
            return "content on a " + method.name() + " request";
        }
        return null;
    }

    /** {@code Content-Length: 0} is no content. A value that is no number counts as content: refused. */
    private static boolean hasContentLengthAboveZero(HttpHeaders headers) {
        String length = headers.get(HttpHeaderNames.CONTENT_LENGTH);
        if (length == null) {
            return false;
        }
        try {
            return Long.parseLong(length.trim()) != 0;
        } catch (NumberFormatException e) {
            return true;
        }
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
