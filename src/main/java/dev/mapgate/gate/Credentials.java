package dev.mapgate.gate;

import java.util.List;

/** Checks the token header and {@code Authorization: Basic} of a request against the configured secrets. */
public final class Credentials {

    /** @throws IllegalArgumentException naming the bad user or hash */
    public Credentials(List<Token> tokens, List<BasicUser> users) {
        throw new UnsupportedOperationException("TODO");
    }

    /**
     * @param tokenHeaderValue the value of the configured token header, or {@code null}
     * @param authorization    the value of {@code Authorization}, or {@code null}
     */
    public CredentialCheck check(String tokenHeaderValue, String authorization) {
        throw new UnsupportedOperationException("TODO");
    }

    /** True when {@link #check} would run bcrypt (a Basic credential whose result is not cached). */
    public boolean isSlow(String tokenHeaderValue, String authorization) {
        throw new UnsupportedOperationException("TODO");
    }

    public boolean hasBasicUsers() {
        throw new UnsupportedOperationException("TODO");
    }

    public boolean isEmpty() {
        throw new UnsupportedOperationException("TODO");
    }
}
