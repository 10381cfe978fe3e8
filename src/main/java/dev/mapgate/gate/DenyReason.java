package dev.mapgate.gate;

/** Why a gated request was refused. Logged; never shown to the client. */
public enum DenyReason {
    IP("ip"),
    NO_CREDENTIAL("no-credential"),
    BAD_CREDENTIAL("bad-credential"),
    /** A trusted proxy reported the client in a form that could not be read as an address. */
    CLIENT_ADDRESS("client-address"),
    /** The address failed too many credentials lately; answered 429 without checking this one. */
    THROTTLED("throttled"),
    /**
     * A response on an ungated path turned out to be a source map by its content (the content
     * guard): the map was served under a name the gate does not cover.
     */
    CONTENT_GUARD("content-guard"),
    /** Deciding failed; the gate fails closed. */
    ERROR("error");

    private final String label;

    DenyReason(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
