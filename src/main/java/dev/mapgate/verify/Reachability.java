package dev.mapgate.verify;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * Whether Sentry's fetcher can connect to a host at all: it connects over IPv4 only, and refuses
 * addresses that are not public (loopback, private, link-local, shared, documentation, multicast,
 * reserved), so that nobody can point it into someone's internal network.
 */
public final class Reachability {

    private Reachability() {}

    /** A problem with these addresses for Sentry, or empty when Sentry can reach the host. */
    public static Optional<String> problem(String host, List<InetAddress> addresses) {
        List<InetAddress> ipv4 = addresses.stream().filter(a -> a instanceof Inet4Address).toList();
        if (ipv4.isEmpty()) {
            return Optional.of(host + " has only IPv6 addresses; Sentry fetches over IPv4 only");
        }
        List<String> refused = ipv4.stream().filter(Reachability::isNotPublic).map(InetAddress::getHostAddress).toList();
        if (!refused.isEmpty()) {
            String where = refused.equals(List.of(host)) ? host + " is" : host + " resolves to " + String.join(", ", refused) + ",";
            return Optional.of(where + " not a public address; Sentry's fetcher refuses to connect there");
        }
        return Optional.empty();
    }

    static boolean isNotPublic(InetAddress address) {
        byte[] b = address.getAddress();
        int a0 = b[0] & 0xff;
        int a1 = b[1] & 0xff;
        int a2 = b[2] & 0xff;
        return a0 == 0                                      // "this network"
                || a0 == 10                                 // private
                || (a0 == 100 && a1 >= 64 && a1 <= 127)     // shared address space (CGNAT)
                || a0 == 127                                // loopback
                || (a0 == 169 && a1 == 254)                 // link-local
                || (a0 == 172 && a1 >= 16 && a1 <= 31)      // private
                || (a0 == 192 && a1 == 0 && a2 == 0)        // IETF protocol assignments
                || (a0 == 192 && a1 == 0 && a2 == 2)        // documentation
                || (a0 == 192 && a1 == 88 && a2 == 99)      // 6to4 relay anycast
                || (a0 == 192 && a1 == 168)                 // private
                || (a0 == 198 && (a1 == 18 || a1 == 19))    // benchmarking
                || (a0 == 198 && a1 == 51 && a2 == 100)     // documentation
                || (a0 == 203 && a1 == 0 && a2 == 113)      // documentation
                || a0 >= 224;                               // multicast, reserved, broadcast
    }
}
