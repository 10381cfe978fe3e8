package dev.mapgate.server;

import dev.mapgate.config.RequestRules;
import dev.mapgate.gate.ClientAddress;
import dev.mapgate.gate.Decision;
import dev.mapgate.gate.RequestTarget;

/**
 * What the gate made of one request, recorded on its {@link Exchange} once, when the gate answers
 * it or lets it through. A field is {@code null} when the gate stopped before it: no client or
 * target for a head that failed to decode, no target for one that failed to parse.
 *
 * @param rules    the config snapshot the request was judged by
 * @param client   the client address the gate judged by
 * @param target   the canonical request-target
 * @param decision the decision; {@code null} for a request rejected as malformed
 */
record Judgement(RequestRules rules, ClientAddress client, RequestTarget target, Decision decision) {
}
