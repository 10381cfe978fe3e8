package dev.mapgate.gate;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * Finds the client address of a request from its peer and the configured client-ip header
 * ({@code client-ip.trusted-proxies}, {@code client-ip.header}). Pure and immutable.
 *
 * <p>Only a peer in {@code trusted-proxies} may report a client. A list is read right to left:
 * each hop appends the address it was connected from, so the rightmost entries are the ones the
 * trusted hops wrote, and the first untrusted entry from the right is the last hop nobody vouches
 * for beyond: the client. Everything to its left is the client's own claim and is never read.
 */
public final class ClientAddressResolver {

    /** How the header's value is read. */
    public enum Format {
        /** Comma-separated addresses, each hop appending its peer: X-Forwarded-For and unknown names. */
        LIST,
        /** RFC 7239 {@code Forwarded}: the {@code for=} of each comma-separated element. */
        FORWARDED,
        /** One address and nothing else: X-Real-IP, True-Client-IP, CF-Connecting-IP. */
        SINGLE
    }

    private final CidrSet trustedProxies;
    private final String header;
    private final Format format;

    private ClientAddressResolver(CidrSet trustedProxies, String header, Format format) {
        this.trustedProxies = trustedProxies;
        this.header = header;
        this.format = format;
    }

    /**
     * @param header a valid HTTP header name; its format follows from the name
     * @throws IllegalArgumentException when {@code header} is not a valid header name
     */
    public static ClientAddressResolver of(CidrSet trustedProxies, String header) {
        Objects.requireNonNull(trustedProxies, "trustedProxies");
        Objects.requireNonNull(header, "header");
        // TODO(helper): validate the name and pick the format from it.
        return new ClientAddressResolver(trustedProxies, header, Format.LIST);
    }

    /** No trusted proxies: every request is judged by its peer. */
    public static ClientAddressResolver peerOnly() {
        return of(CidrSet.parse(List.of()), "X-Forwarded-For");
    }

    /** The configured header name, as configured. */
    public String header() {
        return header;
    }

    public Format format() {
        return format;
    }

    /** Whether {@code peer} may report a client address (and send a PROXY header). */
    public boolean trusts(InetAddress peer) {
        return trustedProxies.contains(peer);
    }

    public CidrSet trustedProxies() {
        return trustedProxies;
    }

    /**
     * Never throws.
     *
     * @param peer         the TCP peer, or the source a trusted PROXY header gave for it
     * @param headerValues every field line of the configured header, in the order received
     */
    public ClientAddress resolve(InetAddress peer, List<String> headerValues) {
        if (!trustedProxies.contains(peer)) {
            return ClientAddress.untrustedPeer(peer);
        }
        throw new UnsupportedOperationException("TODO");
    }

    @Override
    public String toString() {
        return "ClientAddressResolver[trustedProxies=" + trustedProxies.entries() + ", header=" + header + "]";
    }
}
