package dev.mapgate.gate;

import java.net.InetAddress;

/**
 * Who a request comes from, as far as mapgate can tell: the peer (the TCP peer, or the address a
 * trusted PROXY header gave for it), or the address a trusted proxy reported in its header.
 *
 * @param address         the client; {@code null} when a trusted hop's report could not be read,
 *                        or when the peer has no IP address (a Unix socket, a test channel)
 * @param viaTrustedProxy whether the peer is one of the trusted proxies, so that its
 *                        other forwarding headers (e.g. X-Forwarded-Proto) may be believed too
 * @param problem         why the address is unknown, for the debug log; {@code null} when known
 */
public record ClientAddress(InetAddress address, boolean viaTrustedProxy, String problem) {

    /** The peer itself is the client: it is not trusted to report another. */
    public static ClientAddress untrustedPeer(InetAddress peer) {
        return new ClientAddress(peer, false, null);
    }

    /** A trusted peer stands in front of {@code client} (which may be the peer itself). */
    public static ClientAddress behindTrustedProxy(InetAddress client) {
        return new ClientAddress(client, true, null);
    }

    /** A trusted hop sent something that is not an address where one had to be read. */
    public static ClientAddress unknown(String problem) {
        return new ClientAddress(null, true, problem);
    }

    /** False when a trusted hop reported something unreadable; a gated request is then denied. */
    public boolean known() {
        return problem == null;
    }
}
