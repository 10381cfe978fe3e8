package dev.mapgate.fuzz;

/**
 * The gate configurations the fuzzer runs against. They differ in where the client address comes
 * from, which is what the oracle has to work out for itself, and in the credential header.
 */
enum Setup {

    /** The TCP peer is the client; a map needs an allowed address and a credential. */
    PEER("X-Sentry-Token", 404, ""),

    /** A trusted proxy at 127.0.0.1 reports the client in X-Forwarded-For. */
    FORWARDED("X-Sentry-Token", 404,
            "client-ip { trusted-proxies = [\"127.0.0.1/32\"], header = \"X-Forwarded-For\" }"),

    /** A trusted balancer at 127.0.0.1 names the client in a PROXY header (v1 or v2). */
    PROXY("X-Sentry-Token", 404,
            "listen.proxy-protocol = on\nclient-ip.trusted-proxies = [\"127.0.0.1/32\"]"),

    /**
     * Any address; a credential in a custom header or Basic, refused with 401. Two wrong
     * credentials start a cool-down (429), so that one case can reach it.
     */
    CREDENTIAL("X-Map-Key", 401, "gate.require = [credential]\ngate.throttle.max-failures = 2");

    /** Wrong credentials from one address that start its cool-down, in the setups that throttle. */
    static final int MAX_FAILURES = 2;

    final String tokenHeader;
    final int denyStatus;
    /** HOCON added inside {@code mapgate { }}. */
    final String extraConfig;

    Setup(String tokenHeader, int denyStatus, String extraConfig) {
        this.tokenHeader = tokenHeader;
        this.denyStatus = denyStatus;
        this.extraConfig = extraConfig;
    }

    boolean requiresAddress() {
        return this != CREDENTIAL;
    }
}
