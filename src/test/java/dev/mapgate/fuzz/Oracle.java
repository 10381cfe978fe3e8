package dev.mapgate.fuzz;

import dev.mapgate.testing.ResponseReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Judges an {@link Outcome} against the four rules of issue 9, without asking mapgate's own
 * decision code anything.
 *
 * <p><b>Maps.</b> A response "is a map" when it carries {@link TestSite#FUZZ_MARKER}, a map file's ETag, or
 * the JSON Content-Type that only map files get here. Responses are matched to requests by
 * position (HTTP/1.1 answers in order), and requests are found by {@link WireRequests}, the
 * oracle's own RFC 9112 framing of the raw bytes. A map response to request {@code j} is allowed
 * only when that request, as the oracle reads it, has:
 * <ul>
 *   <li>a valid credential: exactly one field line named like the setup's token header (any case)
 *       whose value, trimmed of spaces and tabs, is a configured token; or exactly one
 *       {@code Authorization} line holding {@code Basic}, spaces, and exactly the canonical base64
 *       of the configured user and password (scheme in any case);</li>
 *   <li>and, where the setup checks addresses, an allowed client: the TCP peer; or behind the
 *       trusted proxy, the rightmost X-Forwarded-For entry (all lines joined) that is not the
 *       proxy itself, an optional port and brackets ignored, {@code ::ffff:a.b.c.d} read as
 *       {@code a.b.c.d}; or behind the trusted balancer, the source a PROXY v1 {@code TCP4} or
 *       v2 IPv4 header names. Allowed means equal, as a string, to an address in allow-ips.</li>
 * </ul>
 * Nothing here calls mapgate: the rule is string comparison against {@link Setups}' constants.
 * The rule is deliberately narrow and mapgate's is no wider, so any map response it cannot
 * justify is a violation; so is one for a request the oracle cannot frame (mapgate and the
 * oracle then disagree on where requests start, which is how requests get smuggled). A mutated
 * case that keeps a valid credential and address (a flipped byte in {@code User-Agent}, say) is
 * rightly served and passes. Unmutated cases are also held to what the generator meant: a map
 * where it built an entitled request, none where it did not, and 429 once the throttle must have
 * started; that keeps the oracle from passing because nothing is ever served.
 *
 * <p><b>Statuses.</b> In memory the origin is a directory, so every 5xx is mapgate's own: none is
 * allowed. Over sockets mapgate proxies to an HTTP origin, and 502 and 504 are the origin's.
 *
 * <p><b>Exceptions.</b> Any exception that reaches the end of the pipeline or escapes it, any
 * WARN or ERROR logged (Netty's leak reports included), any message left unhandled at the
 * pipeline's tail, and any response that begins before the previous one ended.
 *
 * <p><b>Stuck connections.</b> Once all input is in, an open connection must not be in the middle
 * of a response, must have answered every request the oracle framed completely, and must close
 * by itself once every client timeout has passed (in memory the clock is moved on; over sockets
 * the client waits five seconds, far longer than the timeouts it configures).
 */
final class Oracle {

    private Oracle() {
    }

    static List<String> judge(FuzzCase c, Outcome o) {
        return judge(c, o, false);
    }

    /** @param proxied mapgate forwards to an HTTP origin, whose failures are 502 and 504 */
    static List<String> judge(FuzzCase c, Outcome o, boolean proxied) {
        List<String> violations = new ArrayList<>();
        for (String problem : o.problems()) {
            violations.add(problem);
        }
        List<Outcome.Response> responses = o.responses();
        for (int j = 0; j < responses.size(); j++) {
            int status = responses.get(j).status();
            if (status >= 500 && !(proxied && (status == 502 || status == 504))) {
                violations.add("[5xx] response #" + j + " is " + responses.get(j).status() + ", a 5xx of mapgate's own");
            }
        }

        boolean trustedPeer = c.peer().equals(Setups.TRUSTED_PROXY);
        ProxyHeaders.Parsed proxy = c.setup() == Setup.PROXY && trustedPeer
                ? ProxyHeaders.parse(c.bytes()) : new ProxyHeaders.Parsed(false, null, 0);
        WireRequests.Framing framing = WireRequests.frame(c.bytes(), proxy.httpStart());
        List<WireRequests.Request> requests = framing.requests();
        for (int j = 0; j < responses.size(); j++) {
            Outcome.Response response = responses.get(j);
            if (!response.fromMap()) {
                continue;
            }
            if (j >= requests.size()) {
                violations.add("[map for an unframed request] response #" + j + " (" + response.status() + ", "
                        + response.why() + ") is a map, for a request the oracle cannot frame (it stopped at: " + framing.stop() + ")");
                continue;
            }
            WireRequests.Request request = requests.get(j);
            String credential = credentialProblem(c.setup(), request);
            String address = c.setup().requiresAddress() ? addressProblem(c, proxy, request) : null;
            if (credential != null || address != null) {
                violations.add("[map without entitlement] response #" + j + " (" + response.status() + ", "
                        + response.why() + ") is a map for `"
                        + request.requestLine() + "`: " + (credential == null ? "" : credential + "; ")
                        + (address == null ? "" : address));
            }
        }
        if (o.rawMarkers() > 0 && responses.stream().noneMatch(Outcome.Response::markerInBody)) {
            violations.add("[marker outside a response] the map marker went out " + o.rawMarkers() + " times, outside any response");
        }

        if (o.openAfterInput()) {
            if (o.responseUnfinished()) {
                violations.add("[stuck] a response was begun and not finished on an open connection");
            }
            if (responses.size() < requests.size()) {
                violations.add("[stuck] " + requests.size() + " complete requests, " + responses.size()
                        + " answered, connection open and idle");
            }
        }
        if (!o.closedAfterTimeouts()) {
            violations.add("[stuck] the connection is still open after every client timeout passed");
        }
        if (!c.mutated() && !o.reset()) {
            checkIntent(c, o, violations, trustedPeer && proxy.present());
        }
        return violations;
    }

    /** An unmutated case must get what the generator built it for. */
    private static void checkIntent(FuzzCase c, Outcome o, List<String> violations, boolean proxied) {
        boolean refused = c.setup() == Setup.PROXY && !proxied && ProxyHeaders.parse(c.bytes()).present();
        if (refused) {
            if (!o.responses().isEmpty()) {
                violations.add("[seed] a PROXY header from an untrusted peer was answered");
            }
            return;
        }
        if (o.responses().isEmpty() && !c.requests().isEmpty()) {
            violations.add("[seed] no response at all to a valid request");
        }
        for (int j = 0; j < c.requests().size() && j < o.responses().size(); j++) {
            RequestSpec.Expect expect = c.requests().get(j).expect;
            Outcome.Response response = o.responses().get(j);
            boolean ok = switch (expect) {
                case MAP -> response.fromMap();
                case NO_MAP -> !response.fromMap();
                case THROTTLED -> response.status() == 429;
                case MAP_OR_THROTTLED -> response.fromMap() || response.status() == 429;
            };
            if (!ok) {
                violations.add("[seed] request #" + j + " was built to get " + expect + ", got " + response.status()
                        + (response.fromMap() ? " from a map" : ""));
            }
        }
    }

    /** Why {@code request} carries no valid credential, or {@code null} if it does. */
    static String credentialProblem(Setup setup, WireRequests.Request request) {
        List<String> tokens = request.values(setup.tokenHeader);
        if (tokens.size() == 1 && (tokens.get(0).equals(Setups.TOKEN) || tokens.get(0).equals(Setups.ROTATED_TOKEN))) {
            return null;
        }
        List<String> authorization = request.values("Authorization");
        if (authorization.size() == 1 && isValidBasic(authorization.get(0))) {
            return null;
        }
        return "no valid credential (" + tokens.size() + " " + setup.tokenHeader + " lines, " + authorization.size()
                + " Authorization lines)";
    }

    private static boolean isValidBasic(String value) {
        String canonical = Setups.BASIC.substring("Basic ".length());
        if (!value.toLowerCase(Locale.ROOT).startsWith("basic ")) {
            return false;
        }
        return value.substring("basic ".length()).replaceFirst("^ +", "").equals(canonical);
    }

    /** Why the client of {@code request} is not allowed, or {@code null} if it is. */
    static String addressProblem(FuzzCase c, ProxyHeaders.Parsed proxy, WireRequests.Request request) {
        boolean trustedPeer = c.peer().equals(Setups.TRUSTED_PROXY);
        String client = c.peer();
        if (c.setup() == Setup.FORWARDED && trustedPeer) {
            client = forwardedClient(request.values("X-Forwarded-For"));
        } else if (c.setup() == Setup.PROXY && trustedPeer) {
            client = proxy.source();
        }
        return Setups.allowed(client) ? null : "client " + client + " is not allowed (peer " + c.peer() + ")";
    }

    /** The rightmost entry that is not the trusted proxy, as an address; the proxy when there is none. */
    private static String forwardedClient(List<String> lines) {
        String[] entries = String.join(",", lines).split(",", -1);
        for (int i = entries.length - 1; i >= 0; i--) {
            String entry = address(ResponseReader.trimOws(entries[i]));
            if (!entry.isEmpty() && !entry.equals(Setups.TRUSTED_PROXY)) {
                return entry;
            }
        }
        return Setups.TRUSTED_PROXY;
    }

    /**
     * An X-Forwarded-For entry without its port ({@code a.b.c.d:p}, {@code [v6]:p}) and brackets,
     * and an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) as its IPv4 address: the same host,
     * and the one reading of it an allow list of IPv4 ranges can mean.
     */
    static String address(String entry) {
        String host = entry;
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            if (close > 0 && host.substring(close + 1).matches("(:[0-9]{1,5})?")) {
                host = host.substring(1, close);
            }
        } else if (host.indexOf(':') > 0 && host.indexOf(':') == host.lastIndexOf(':')
                && host.substring(host.indexOf(':') + 1).matches("[0-9]{1,5}")) {
            host = host.substring(0, host.indexOf(':'));
        }
        String lower = host.toLowerCase(Locale.ROOT);
        return lower.startsWith("::ffff:") ? lower.substring("::ffff:".length()) : host;
    }
}
