package dev.mapgate.origin;

import dev.mapgate.config.OriginSettings;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProvider;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.util.NetUtil;
import java.net.SocketAddress;

/**
 * Makes what turns the origin's host name into an address each time a connection to it is opened.
 * The server builds one at startup and closes it after the pool; tests pass their own to point at
 * a DNS server of their own or to stand in for a resolver that blocks.
 */
@FunctionalInterface
public interface OriginResolvers {

    /**
     * Longest a record's TTL is followed: an address given out with a day's TTL is asked for
     * again after this, so an origin that moves is found in minutes whatever its zone says.
     */
    int MAX_TTL_SECONDS = 600;

    /**
     * How long a name that does not exist (NXDOMAIN, or no address of any kind) is remembered, so
     * that while it is missing every new connection does not cost a query. Short, so that a fix
     * to the zone is seen within seconds. A lookup that timed out is not remembered.
     */
    int NEGATIVE_TTL_SECONDS = 5;

    /**
     * @param origin          the origin's settings; its connect-timeout also bounds each DNS query
     * @param datagramChannel the event loops' UDP channel type (epoll or NIO)
     * @param socketChannel   the event loops' TCP channel type, for answers too long for UDP
     */
    AddressResolverGroup<? extends SocketAddress> create(OriginSettings origin,
            Class<? extends DatagramChannel> datagramChannel, Class<? extends SocketChannel> socketChannel);

    /** The system's name servers and search domains (/etc/resolv.conf); /etc/hosts answers first. */
    static OriginResolvers system() {
        return using(DnsServerAddressStreamProviders.platformDefault());
    }

    /** As {@link #system()}, but asking {@code nameServers}. */
    static OriginResolvers using(DnsServerAddressStreamProvider nameServers) {
        return (origin, datagramChannel, socketChannel) -> {
            if (isIpLiteral(origin.url().getHost())) {
                // What mapgate always did: the JDK reads an address literal without a lookup, so
                // nothing blocks, and no DNS socket is opened for an origin that names no host.
                return DefaultAddressResolverGroup.INSTANCE;
            }
            // Resolved on the event loop that opens the connection, without blocking it. The
            // address families asked for, and which comes first, follow the JDK's own
            // java.net.preferIPv4Stack and java.net.preferIPv6Addresses (IPv4 first by default).
            DnsNameResolverBuilder builder = new DnsNameResolverBuilder()
                    .datagramChannelType(datagramChannel)
                    .socketChannelType(socketChannel)
                    .nameServerProvider(nameServers)
                    .queryTimeoutMillis(origin.connectTimeout().toMillis())
                    .ttl(0, MAX_TTL_SECONDS)
                    .negativeTtl(NEGATIVE_TTL_SECONDS);
            return new DnsAddressResolverGroup(builder);
        };
    }

    private static boolean isIpLiteral(String host) {
        return NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host);
    }
}
