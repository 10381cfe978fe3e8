package dev.mapgate.gate;

/** One of the checks a gated request must pass, as the config names it ({@link #configName()}). */
public enum Check {
    /** The client address is among the allowed addresses. */
    IP("ip"),
    /** The request presents a configured token or Basic user. */
    CREDENTIAL("credential");

    private final String configName;

    Check(String configName) {
        this.configName = configName;
    }

    public String configName() {
        return configName;
    }
}
