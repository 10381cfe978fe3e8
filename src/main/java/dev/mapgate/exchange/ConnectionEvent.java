package dev.mapgate.exchange;

/**
 * User events on a client connection. The decoder's and the server's are handled by {@code
 * ExchangeHandler}; it sends {@link #REQUEST_BODY_BROKEN} on to the handler answering the request.
 */
public enum ConnectionEvent {

    /** From the decoder: the first byte of a new request has arrived. Starts its header clock. */
    REQUEST_STARTED,

    /**
     * Shutdown has begun but the listener still accepts (shutdown.drain-delay): the next response
     * says "Connection: close" and the connection closes after it, so keep-alive clients go
     * elsewhere without losing a request. An idle connection stays open until then.
     */
    LAST_RESPONSE,

    /** On shutdown: finish the exchange in flight, then close; close at once if there is none. */
    DRAIN,

    /**
     * The body of the request in flight broke off (a malformed chunk) after its head was passed
     * on: no more of it will come, and the connection is about to close. Whatever was started for
     * the request must be abandoned, not completed.
     */
    REQUEST_BODY_BROKEN,

    /**
     * From the content guard: the response in progress is a source map on an ungated path and
     * will not be sent. The handler answering the request stops it (for a proxied origin, drops
     * the origin connection) and ends it with a last content, after which the guard sends the
     * denial in its place.
     */
    RESPONSE_REFUSED
}
