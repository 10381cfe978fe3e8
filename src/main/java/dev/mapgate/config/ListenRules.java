package dev.mapgate.config;

import dev.mapgate.gate.AcceptedHosts;
import java.time.Duration;

/**
 * What the listener holds each connection and request to ({@code mapgate.listen}): what a request
 * may look like and how long each wait on a client may last. A reload applies them to connections
 * accepted from then on. reference.conf documents each key.
 *
 * @param hosts            hosts an absolute-form request-target may name
 * @param headerTimeout    first byte of a request to the end of its header section
 * @param keepAliveTimeout wait for the first byte of the next request (and of the first)
 * @param bodyTimeout      longest gap between reads while a request body is being asked for
 * @param idleTimeout      nothing read or written during an exchange
 * @param proxyProtocol    whether trusted peers start each connection with a PROXY header
 */
public record ListenRules(AcceptedHosts hosts, int maxInitialLineLength, int maxHeaderSize, int maxHeaderCount,
                          Duration headerTimeout, Duration keepAliveTimeout, Duration bodyTimeout,
                          Duration idleTimeout, boolean proxyProtocol) {
}
