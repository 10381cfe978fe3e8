package dev.mapgate.verify;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Which hosts may receive the credential: the host of the URL being verified, and
 * those the user named with {@code --credential-host}. The JavaScript, a map's {@code sources}
 * or a redirect can point anywhere; a token is sent to none of those other hosts.
 */
final class CredentialScope {

    private record Host(String name, int port) {
    }

    private final List<Host> hosts;

    private CredentialScope(List<Host> hosts) {
        this.hosts = List.copyOf(hosts);
    }

    /**
     * @param verified the URL being verified: its host and port
     * @param named    {@code HOST} (any port) or {@code HOST:PORT}
     * @throws IllegalArgumentException for a malformed entry
     */
    static CredentialScope of(URI verified, List<String> named) {
        List<Host> hosts = new ArrayList<>();
        // Any port of the verified host: it is the same machine, under the user's control.
        hosts.add(new Host(verified.getHost().toLowerCase(Locale.ROOT), -1));
        for (String entry : named) {
            String text = entry.strip().toLowerCase(Locale.ROOT);
            int colon = text.lastIndexOf(':');
            if (text.isEmpty() || text.contains("/") || text.startsWith("[") || colon == 0) {
                throw new IllegalArgumentException("--credential-host \"" + entry + "\" is not HOST or HOST:PORT");
            }
            if (colon > 0) {
                try {
                    hosts.add(new Host(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1))));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--credential-host \"" + entry + "\" has no valid port");
                }
            } else {
                hosts.add(new Host(text, -1));
            }
        }
        return new CredentialScope(hosts);
    }

    /** Any host: for fetches that never carry a credential, or tests that do not care. */
    static CredentialScope anyHost() {
        return new CredentialScope(List.of());
    }

    boolean allows(URI url) {
        if (hosts.isEmpty()) {
            return true;
        }
        String name = url.getHost() == null ? "" : url.getHost().toLowerCase(Locale.ROOT);
        int port = SentryFetcher.port(url);
        for (Host host : hosts) {
            if (host.name().equals(name) && (host.port() < 0 || host.port() == port)) {
                return true;
            }
        }
        return false;
    }
}
