package dev.mapgate.gate;

/** Which way a request goes: through the gate, or straight to the origin. */
public enum Route {
    GATED("gated"),
    PASS("pass");

    private final String label;

    Route(String label) {
        this.label = label;
    }

    /** The name used in logs and metric tags. */
    public String label() {
        return label;
    }
}
