package dev.mapgate.tls;

/** A {@code listen.tls} file that cannot be used; {@link #key()} names the setting. */
public final class TlsFileProblem extends IllegalArgumentException {

    private final String key;

    /** @param key the setting under {@code listen.tls}, e.g. {@code private-key} */
    public TlsFileProblem(String key, String message) {
        super(message);
        this.key = key;
    }

    public TlsFileProblem(String key, String message, Throwable cause) {
        super(message, cause);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
