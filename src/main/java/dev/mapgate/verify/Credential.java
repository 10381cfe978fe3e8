package dev.mapgate.verify;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Set;

/**
 * The header Sentry would send on every scraped URL, as its project settings "Security Token
 * Header" and "Security Token" describe it. {@link #toString()} never shows the value.
 */
public record Credential(String header, String value) {

    /** Sentry's default "Security Token Header". */
    public static final String DEFAULT_HEADER = "X-Sentry-Token";

    // java.net.http sets these itself and refuses them from callers.
    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");

    public Credential {
        if (header == null || header.isEmpty() || !header.chars().allMatch(Credential::isTokenChar)) {
            throw new IllegalArgumentException("\"" + header + "\" is not a valid header name");
        }
        if (RESTRICTED.contains(header.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException(header + " cannot carry a credential");
        }
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("the credential is empty");
        }
        if (value.chars().anyMatch(c -> (c < 0x20 && c != '\t') || c == 0x7f)) {
            throw new IllegalArgumentException("the credential contains a control character (a line break?)");
        }
    }

    public static Credential token(String header, String token) {
        return new Credential(header, token);
    }

    /** {@code Authorization: Basic ...}, what Sentry sends with the header name set to Authorization. */
    public static Credential basic(String userColonPassword) {
        if (userColonPassword == null || userColonPassword.indexOf(':') < 1) {
            throw new IllegalArgumentException("Basic credentials must be USER:PASSWORD");
        }
        return new Credential("Authorization",
                "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8)));
    }

    /** Sentry's HTTP client drops Authorization on a redirect to another host, and keeps other headers. */
    public boolean droppedAcrossHosts() {
        return header.equalsIgnoreCase("Authorization");
    }

    @Override
    public String toString() {
        return "Credential[header=" + header + ", value=<redacted>]";
    }

    private static boolean isTokenChar(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
    }
}
