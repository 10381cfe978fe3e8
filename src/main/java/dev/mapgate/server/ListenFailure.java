package dev.mapgate.server;

/**
 * A listener could not be bound: the port is taken, the address is not on this host, or a port
 * below 1024 needs a capability the process lacks. The message names the config key to change.
 */
public final class ListenFailure extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    ListenFailure(String key, String host, int port, Throwable cause) {
        super(key + ": cannot listen on " + host + ":" + port + ": "
                + (cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage()), cause);
    }
}
