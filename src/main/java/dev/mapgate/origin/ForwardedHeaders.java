package dev.mapgate.origin;

import io.netty.util.AsciiString;

/** Header names Netty does not define. */
final class ForwardedHeaders {
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    static final AsciiString HTTP2_SETTINGS = AsciiString.cached("http2-settings");
    /** Read by IIS (URL Rewrite) and Symfony as the path actually requested. */
    static final AsciiString X_ORIGINAL_URL = AsciiString.cached("x-original-url");
    /** Read by IIS (ISAPI Rewrite) and Symfony as the path actually requested. */
    static final AsciiString X_REWRITE_URL = AsciiString.cached("x-rewrite-url");

    private ForwardedHeaders() {
    }
}
