package dev.mapgate.gate;

/** One of the checks a gated request must pass, as named in {@code gate.require}. */
public enum Check {
    /** The client address is in {@code gate.allow-ips}. */
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
