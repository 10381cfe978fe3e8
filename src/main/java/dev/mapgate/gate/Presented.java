package dev.mapgate.gate;

/**
 * The credentials a request presented, as the gate reads them.
 *
 * <p>Two token headers, or two {@code Authorization} headers (that header holds one credential,
 * RFC 9110 section 11.6.2), are ambiguous: no well-formed client sends them, and a server in front
 * may have read the other one. Neither of the two counts, but the request did present something,
 * so a denial says the credential was bad rather than missing.
 *
 * @param token         the token header's value as it counts: {@code null} when absent, empty when ambiguous
 * @param authorization the Authorization header's value as it counts, likewise
 * @param ambiguous     whether either header came more than once
 */
public record Presented(String token, String authorization, boolean ambiguous) {

    public static final Presented NOTHING = new Presented(null, null, false);

    /**
     * @param token                 the first token header's value, or {@code null}
     * @param tokenRepeated         whether the token header came more than once
     * @param authorization         the first Authorization header's value, or {@code null}
     * @param authorizationRepeated whether Authorization came more than once
     */
    public static Presented of(String token, boolean tokenRepeated, String authorization,
                               boolean authorizationRepeated) {
        return new Presented(tokenRepeated ? "" : token, authorizationRepeated ? "" : authorization,
                tokenRepeated || authorizationRepeated);
    }
}
