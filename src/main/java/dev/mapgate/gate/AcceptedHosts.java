package dev.mapgate.gate;

import java.util.ArrayList;
import java.util.List;

/**
 * The hosts an absolute-form request-target may name (the listener's accepted hosts). A request such as
 * {@code GET http://other.example/app.js.map HTTP/1.1} asks mapgate to act for another host; only
 * the listed ones are served, each rewritten to origin-form.
 *
 * <p>An entry without a port accepts that host on any port; an entry with one accepts only that
 * port, as written in the target.
 */
public final class AcceptedHosts {

    /** Accepts no absolute-form target at all. */
    public static final AcceptedHosts NONE = new AcceptedHosts(List.of());

    private final List<Authority> entries;

    private AcceptedHosts(List<Authority> entries) {
        this.entries = entries;
    }

    /** @throws InvalidEntry naming the entry that is not a valid {@code host[:port]} and its position */
    public static AcceptedHosts of(List<String> hosts) {
        List<Authority> entries = new ArrayList<>(hosts.size());
        for (int i = 0; i < hosts.size(); i++) {
            String host = hosts.get(i);
            try {
                entries.add(Authority.parse(host));
            } catch (IllegalArgumentException e) {
                throw new InvalidEntry(InvalidEntry.Field.HOST, i, host,
                        "'" + host + "' is not a host[:port]: " + e.getMessage());
            }
        }
        return entries.isEmpty() ? NONE : new AcceptedHosts(List.copyOf(entries));
    }

    public boolean accepts(Authority authority) {
        for (Authority entry : entries) {
            if (entry.host().equals(authority.host()) && (entry.port() < 0 || entry.port() == authority.port())) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    @Override
    public String toString() {
        return entries.toString();
    }
}
