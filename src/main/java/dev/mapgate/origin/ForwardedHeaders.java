package dev.mapgate.origin;

import dev.mapgate.gate.ClientAddress;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.netty.util.NetUtil;
import java.util.List;

/** What the origin is told about the client, and the header names Netty does not define. */
final class ForwardedHeaders {
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    static final AsciiString HTTP2_SETTINGS = AsciiString.cached("http2-settings");
    /** Read by IIS (URL Rewrite) and Symfony as the path actually requested. */
    static final AsciiString X_ORIGINAL_URL = AsciiString.cached("x-original-url");
    /** Read by IIS (ISAPI Rewrite) and Symfony as the path actually requested. */
    static final AsciiString X_REWRITE_URL = AsciiString.cached("x-rewrite-url");
    static final AsciiString FORWARDED = AsciiString.cached("forwarded");
    /** Headers some origins read as the client's address; a client could send any of them itself. */
    private static final AsciiString[] CLIENT_ADDRESS_HEADERS = {
        FORWARDED,
        AsciiString.cached("x-real-ip"),
        AsciiString.cached("true-client-ip"),
        AsciiString.cached("cf-connecting-ip"),
        AsciiString.cached("fastly-client-ip"),
        AsciiString.cached("x-client-ip"),
        AsciiString.cached("x-cluster-client-ip"),
    };

    private ForwardedHeaders() {
    }

    /**
     * Replaces what the client or the hops before mapgate said about the client with what mapgate
     * concluded: X-Forwarded-For carries the one address the gate judged the request by, so that
     * the origin has no chain to walk and never sees an address nobody checked. The configured
     * client-ip header, {@code Forwarded} and the other common client-address headers go: they
     * could contradict it, and an origin reading one of them would believe the client.
     *
     * @param client         the gate's client address, or {@code null} if the gate never got that far
     * @param clientIpHeader the configured client-ip header
     * @param tlsListener    whether the client reached mapgate over TLS
     */
    static void rewrite(HttpHeaders h, ClientAddress client, String clientIpHeader, boolean tlsListener) {
        List<String> protos = h.getAll(X_FORWARDED_PROTO);
        // Two lines mean a hop appended to what the client sent: which one is whose is unknown.
        String proto = protos.size() == 1 ? protos.get(0) : null;
        h.remove(clientIpHeader);
        for (AsciiString name : CLIENT_ADDRESS_HEADERS) {
            h.remove(name);
        }
        if (client != null && client.known() && client.address() != null) {
            // RFC 5952 text (2001:db8::7), the form logs and allow lists use.
            h.set(X_FORWARDED_FOR, NetUtil.toAddressString(client.address()));
        } else {
            h.remove(X_FORWARDED_FOR);
        }
        // A trusted hop in front (a CDN ending TLS) knows the scheme its client used; anyone else
        // could claim https to get a redirect or a cookie it should not.
        boolean believeProto = client != null && client.viaTrustedProxy()
                && ("http".equals(proto) || "https".equals(proto));
        h.set(X_FORWARDED_PROTO, believeProto ? proto : tlsListener ? "https" : "http");
    }
}
