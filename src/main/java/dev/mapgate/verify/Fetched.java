package dev.mapgate.verify;

import java.net.URI;
import java.net.http.HttpHeaders;
import java.util.List;

/**
 * One fetch as Sentry would have made it: redirects followed, the body decoded.
 *
 * @param requested       the URL asked for
 * @param finalUrl        where the redirects ended
 * @param status          the final status
 * @param headers         the final response's headers
 * @param redirects       each redirect followed, in order
 * @param body            the decoded body, or {@code null} when {@code problem} says why not
 * @param encodedSize     bytes received, before decoding
 * @param contentEncoding the Content-Encoding received, or {@code null}
 * @param range           what became of the {@code Range} request
 * @param problem         why the body could not be read (unknown coding, corrupt), or {@code null}
 * @param credentialWithheld the credential was left off on some hop, because that host is not in
 *                        the credential's scope
 */
public record Fetched(URI requested, URI finalUrl, int status, HttpHeaders headers, List<Redirect> redirects,
        byte[] body, long encodedSize, String contentEncoding, RangeOutcome range, String problem,
        boolean credentialWithheld) {

    public Fetched {
        redirects = List.copyOf(redirects);
    }

    /** One redirect: {@code from} answered {@code status} with a Location to {@code to}. */
    public record Redirect(URI from, int status, URI to) {}

    /** What Sentry's 128 MiB first part turned into. */
    public enum RangeOutcome {
        /** No Range was sent. */
        NOT_ASKED,
        /** A 206 with a Content-Range Sentry accepts. */
        HONOURED,
        /** A 200 with the whole body. */
        IGNORED,
        /** A 416 or a Content-Range Sentry rejects: it asks again without Range. */
        REFUSED
    }

    public boolean isSuccess() {
        return status == 200 || status == 206;
    }

    public String contentType() {
        return headers.firstValue("Content-Type").orElse(null);
    }
}
