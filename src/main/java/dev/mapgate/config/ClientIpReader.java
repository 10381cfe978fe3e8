package dev.mapgate.config;

import dev.mapgate.gate.CidrSet;
import dev.mapgate.gate.ClientAddressResolver;
import dev.mapgate.gate.InvalidEntry;
import java.util.List;

/** Reads {@code mapgate.client-ip}: which peers may report a client's address, and in which header. */
final class ClientIpReader {

    private static final String P = "mapgate.client-ip.";

    private ClientIpReader() {
    }

    static ClientAddressResolver read(ConfigValues values, String tokenHeader) {
        CidrSet trusted = values.entries(P + "trusted-proxies", CidrSet::parse);
        List<String> entries = trusted.entries();
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).strip().endsWith("/0")) {
                // Every peer could then name any client, Sentry's addresses included.
                throw values.problem(P + "trusted-proxies[" + i + "]", "'" + entries.get(i) + "' trusts every "
                        + "address, so anyone could claim to be Sentry; list your proxies' own ranges");
            }
        }
        String header = values.string(P + "header");
        if (header.equalsIgnoreCase(tokenHeader)) {
            throw values.problem(P + "header", "\"" + header + "\" is the token header (gate.token.header)");
        }
        try {
            return ClientAddressResolver.of(trusted, header);
        } catch (InvalidEntry e) {
            throw values.problem(P + "header", SettingsLoader.oneLine(e.getMessage()));
        }
    }
}
