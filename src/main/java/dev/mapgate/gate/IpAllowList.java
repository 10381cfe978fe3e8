package dev.mapgate.gate;

import java.net.InetAddress;
import java.util.List;

/** The {@code gate.allow-ips} CIDRs and single addresses, IPv4 and IPv6. */
public final class IpAllowList {

    /** @throws IllegalArgumentException naming the bad entry */
    public static IpAllowList parse(List<String> entries) {
        throw new UnsupportedOperationException("TODO");
    }

    public boolean contains(InetAddress address) {
        throw new UnsupportedOperationException("TODO");
    }

    public boolean isEmpty() {
        throw new UnsupportedOperationException("TODO");
    }
}
