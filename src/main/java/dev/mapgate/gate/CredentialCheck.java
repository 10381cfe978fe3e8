package dev.mapgate.gate;

/**
 * What the credentials on one request amount to.
 *
 * @param outcome whether a credential was presented and whether it matched
 * @param name    the configured name of the matching token or user, else {@code null}
 */
public record CredentialCheck(Outcome outcome, String name) {
    public enum Outcome { NONE, BAD, VALID }

    public static final CredentialCheck NONE = new CredentialCheck(Outcome.NONE, null);
    public static final CredentialCheck BAD = new CredentialCheck(Outcome.BAD, null);

    public static CredentialCheck valid(String name) {
        return new CredentialCheck(Outcome.VALID, name);
    }
}
