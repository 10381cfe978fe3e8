package dev.mapgate.verify;

/** The outcome of one check, ordered from best to worst. */
public enum Status {
    OK("ok"),
    WARN("warn"),
    FAIL("FAIL");

    private final String label;

    Status(String label) {
        this.label = label;
    }

    /** How the checklist prints it: FAIL in capitals so it stands out without colour. */
    public String label() {
        return label;
    }

    /** How the JSON report writes it. */
    public String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    Status worst(Status other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
