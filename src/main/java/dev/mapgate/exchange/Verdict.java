package dev.mapgate.exchange;

import dev.mapgate.config.RequestRules;
import dev.mapgate.gate.ClientAddress;
import dev.mapgate.gate.Decision;
import dev.mapgate.gate.RequestTarget;
import java.util.Objects;

/**
 * What the gate found about one request it let through, fixed once it has decided. The handlers
 * behind the gate read it from the {@link AdmittedRequest}; none of them can change it.
 *
 * @param rules    the config snapshot the request was judged by, and is forwarded by
 * @param client   the client address the gate judged by
 * @param target   the canonical request-target: the only path that may reach the origin
 * @param decision the gate's decision, always an allowed one
 */
public record Verdict(RequestRules rules, ClientAddress client, RequestTarget target, Decision decision) {

    public Verdict {
        Objects.requireNonNull(rules, "rules");
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(target, "target");
        if (!decision.allowed()) {
            // The origin side trusts that what reaches it was allowed: a denial here would be a map
            // served to whoever asked.
            throw new IllegalArgumentException("only an allowed request reaches the origin: " + decision);
        }
    }
}
