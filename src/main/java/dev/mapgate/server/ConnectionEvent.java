package dev.mapgate.server;

/**
 * User events on a client connection. The decoder's and the server's are handled by {@link
 * ExchangeHandler}; it sends {@link #REQUEST_BODY_BROKEN} on to the handler answering the request.
 */
public enum ConnectionEvent {

    /** From the decoder: the first byte of a new request has arrived. Starts its header clock. */
    REQUEST_STARTED,

    /** On shutdown: finish the exchange in flight, then close; close at once if there is none. */
    DRAIN,

    /**
     * The body of the request in flight broke off (a malformed chunk) after its head was passed
     * on: no more of it will come, and the connection is about to close. Whatever was started for
     * the request must be abandoned, not completed.
     */
    REQUEST_BODY_BROKEN
}
