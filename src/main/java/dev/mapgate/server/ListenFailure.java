package dev.mapgate.server;

import java.util.Locale;

/**
 * A listener could not be bound: the port is taken, the address is not on this host, or a port
 * below 1024 needs a capability the process lacks. The message names the config key to change and
 * says what happened in plain words: the native transports report {@code bind(..) failed with
 * error(-98)}, which tells an operator nothing.
 */
public final class ListenFailure extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    ListenFailure(String key, String host, int port, Throwable cause) {
        super(key + ": cannot listen on " + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port + ": "
                + plainWords(key, port, cause), cause);
    }

    /**
     * What the system said, by the one part every transport shares: the C library's text for the
     * error ({@code strerror}), which ends both the JDK's and Netty's native messages.
     */
    static String plainWords(String key, int port, Throwable cause) {
        String message = cause.getMessage() == null ? "" : cause.getMessage();
        String lower = message.toLowerCase(Locale.ROOT);
        if (lower.contains("address already in use")) {
            return "address already in use: another process listens on port " + port
                    + "; stop it or choose another " + key + ".port";
        }
        if (lower.contains("cannot assign requested address")) {
            return "address not available: it is not an address of this machine; set " + key
                    + ".host to one of its addresses, or 0.0.0.0 for all";
        }
        if (lower.contains("permission denied") || lower.contains("access denied")) {
            return port < 1024
                    ? "permission denied: a port below 1024 needs root or CAP_NET_BIND_SERVICE; choose " + key
                    + ".port of 1024 or above, or grant the capability"
                    : "permission denied";
        }
        int errorAt = message.indexOf("): ");
        // Netty's native form, "bind(..) failed with error(-N): <text>": keep the text only.
        return message.isEmpty() ? cause.getClass().getSimpleName()
                : message.startsWith("bind(") && errorAt > 0 ? message.substring(errorAt + 3) : message;
    }
}
