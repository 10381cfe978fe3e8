package dev.mapgate.server;

/** User events on a client connection, all handled by {@link ExchangeHandler}. */
enum ConnectionEvent {

    /** From the decoder: the first byte of a new request has arrived. Starts its header clock. */
    REQUEST_STARTED,

    /** On shutdown: finish the exchange in flight, then close; close at once if there is none. */
    DRAIN
}
