package dev.mapgate.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Makes case {@code index} of run {@code seed}: a valid connection (setup, peer, PROXY header,
 * one to four pipelined requests), then usually some mutations, then a way to cut the bytes
 * into writes. Each case has a random source of its own, derived from the seed and the index, so
 * any single case can be made again without the ones before it.
 */
final class CaseGenerator {

    /** Share of cases sent exactly as generated, so the unmutated path is checked all the time. */
    private static final int UNMUTATED_PERCENT = 8;
    /** Share of cases whose PROXY v2 header, if it has TLVs, gets one that does not fit in it. */
    private static final int TLV_OVERRUN_PERCENT = 15;

    private final Mutator mutator = new Mutator();
    private final Setup only;

    /** @param only the one setup to make cases for, or {@code null} for all of them */
    CaseGenerator(Setup only) {
        this.only = only;
    }

    static SplittableRandom random(long seed, int index) {
        // splitmix64 of seed and index: neighbouring indexes get unrelated streams.
        long z = seed + 0x9E3779B97F4A7C15L * (index + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return new SplittableRandom(z ^ (z >>> 31));
    }

    FuzzCase generate(long seed, int index) {
        SplittableRandom r = random(seed, index);
        Setup picked = Setup.values()[r.nextInt(Setup.values().length)];
        Setup setup = only == null ? picked : only;
        Connection conn = connection(r, setup);
        List<RequestSpec> requests = new ArrayList<>();
        int count = pick(r, 55, 25, 12, 8) + 1;
        // The throttle counts a wrong token against the address and a wrong Basic password against
        // the address and its user (every BAD_BASIC is for Setups.USER); a cool-down refuses what it
        // cannot prove right without bcrypt.
        int addressFailures = 0;
        int userFailures = 0;
        for (int i = 0; i < count; i++) {
            Credential credential = Credential.values()[pick(r, 35, 5, 15, 10, 2, 33)];
            RequestSpec request = seedRequest(r, setup, conn, credential);
            boolean gated = request.expect == RequestSpec.Expect.MAP || isGatedSeed(request);
            if (setup == Setup.CREDENTIAL && gated) {
                boolean basic = credential == Credential.VALID_BASIC || credential == Credential.BAD_BASIC;
                boolean coolingDown = (basic ? userFailures : addressFailures) >= Setup.MAX_FAILURES;
                if (coolingDown && credential == Credential.VALID_BASIC) {
                    // Served if this password was verified before (in this case or an earlier one
                    // on the same site), else refused like a guess.
                    if (request.expect == RequestSpec.Expect.MAP) {
                        request.expect = RequestSpec.Expect.MAP_OR_THROTTLED;
                    }
                } else if (coolingDown && credential.bad) {
                    // Only a guess is refused; a request without a credential gets the usual denial.
                    request.expect = RequestSpec.Expect.THROTTLED;
                } else if (credential == Credential.BAD_BASIC) {
                    userFailures++;
                } else if (credential.bad) {
                    addressFailures++;
                }
            }
            requests.add(request);
        }
        StringBuilder prefix = new StringBuilder(conn.prefix);
        List<String> mutations = new ArrayList<>();
        if (r.nextInt(100) < TLV_OVERRUN_PERCENT) {
            // Netty 4.2.7 leaked the TLVs it had read when a later one ran past the header.
            String overrun = ProxyHeaders.withLastTlvOverrunning(conn.prefix);
            if (overrun != null) {
                prefix = new StringBuilder(overrun);
                mutations.add("PROXY v2: the last TLV runs past the header");
            }
        }
        int byteMutations = r.nextInt(100) < UNMUTATED_PERCENT ? 0
                : mutator.mutate(r, setup, prefix, requests, mutations);
        StringBuilder wire = new StringBuilder(prefix);
        for (RequestSpec request : requests) {
            wire.append(request.wire());
        }
        byte[] bytes = wire.toString().getBytes(StandardCharsets.ISO_8859_1);
        bytes = mutator.mutateBytes(r, bytes, byteMutations, mutations);
        return new FuzzCase(index, setup, conn.peer, bytes, writes(r, bytes.length), requests, mutations);
    }

    /** Who connects, what PROXY header it sends, and whether that makes it an allowed client. */
    private record Connection(String peer, String prefix, boolean allowed, boolean refused) {
    }

    private enum Credential {
        VALID_TOKEN(true, false), ROTATED_TOKEN(true, false), BAD_TOKEN(false, true), VALID_BASIC(true, false),
        BAD_BASIC(false, true), NONE(false, false);

        final boolean valid;
        final boolean bad;

        Credential(boolean valid, boolean bad) {
            this.valid = valid;
            this.bad = bad;
        }
    }

    private static Connection connection(SplittableRandom r, Setup setup) {
        switch (setup) {
            case PEER -> {
                boolean allowed = r.nextBoolean();
                String peer = allowed ? allowedIp(r) : deniedIp(r);
                return new Connection(peer, "", allowed, false);
            }
            case FORWARDED -> {
                if (r.nextInt(100) < 85) {
                    // The request headers decide; see seedRequest.
                    return new Connection(Setups.TRUSTED_PROXY, "", false, false);
                }
                String peer = r.nextBoolean() ? Setups.ALLOWED_IP : deniedIp(r);
                return new Connection(peer, "", Setups.allowed(peer), false);
            }
            case PROXY -> {
                if (r.nextInt(100) < 80) {
                    boolean allowed = r.nextBoolean();
                    String source = allowed ? allowedIp(r) : deniedIp(r);
                    int kind = pick(r, 55, 35, 5, 5);
                    String prefix = switch (kind) {
                        case 0 -> source.contains(":")
                                ? "PROXY TCP6 " + source + " 2001:db8::1 " + port(r) + " 443\r\n"
                                : "PROXY TCP4 " + source + " 192.0.2.200 " + port(r) + " 443\r\n";
                        case 1 -> proxyV2(r, source);
                        case 2 -> "PROXY UNKNOWN\r\n";
                        default -> proxyV2Local();
                    };
                    return new Connection(Setups.TRUSTED_PROXY, prefix, allowed && kind < 2, false);
                }
                String peer = r.nextBoolean() ? Setups.ALLOWED_IP : deniedIp(r);
                boolean sendsHeader = r.nextInt(100) < 30;
                String prefix = sendsHeader ? "PROXY TCP4 " + Setups.ALLOWED_IP + " 192.0.2.200 4711 443\r\n" : "";
                return new Connection(peer, prefix, Setups.allowed(peer), sendsHeader);
            }
            default -> {
                return new Connection("100.64." + r.nextInt(256) + "." + (1 + r.nextInt(254)), "", true, false);
            }
        }
    }

    private static String allowedIp(SplittableRandom r) {
        return r.nextBoolean() ? Setups.ALLOWED_IP : Setups.ALLOWED_NET + (1 + r.nextInt(254));
    }

    private static String deniedIp(SplittableRandom r) {
        return switch (r.nextInt(5)) {
            case 0 -> "192.0.2." + (1 + r.nextInt(254));
            case 1 -> "198.51.101.4";
            case 2 -> "203.0.113.8";
            case 3 -> "2001:db8::7";
            default -> "10.1.2.3";
        };
    }

    private static int port(SplittableRandom r) {
        return 1024 + r.nextInt(60000);
    }

    /** PROXY v2, PROXY command, TCP over IPv4 or IPv6. */
    private static String proxyV2(SplittableRandom r, String source) {
        StringBuilder out = new StringBuilder(ProxyHeaders.V2_SIGNATURE);
        boolean v6 = source.contains(":");
        out.append((char) 0x21).append((char) (v6 ? 0x21 : 0x11));
        int length = v6 ? 36 : 12;
        out.append((char) (length >> 8)).append((char) (length & 0xff));
        out.append(ProxyHeaders.addressBytes(source));
        out.append(ProxyHeaders.addressBytes(v6 ? "2001:db8::1" : "192.0.2.200"));
        int port = port(r);
        out.append((char) (port >> 8)).append((char) (port & 0xff)).append((char) 1).append((char) 0xbb);
        if (r.nextInt(100) < 45) {
            String tlvs = tlvs(r);
            length += tlvs.length();
            out.setCharAt(14, (char) (length >> 8));
            out.setCharAt(15, (char) (length & 0xff));
            out.append(tlvs);
        }
        return out.toString();
    }

    /**
     * One to three TLVs of the kinds balancers send: ALPN and authority from the TLS the balancer
     * ended, a unique id, an SSL block with its own sub-TLVs, padding (NOOP) and a vendor type.
     */
    private static String tlvs(SplittableRandom r) {
        StringBuilder out = new StringBuilder();
        int count = 1 + r.nextInt(3);
        for (int i = 0; i < count; i++) {
            switch (r.nextInt(6)) {
                case 0 -> tlv(out, 0x01, r.nextBoolean() ? "http/1.1" : "h2");
                case 1 -> tlv(out, 0x02, "cdn.example");
                case 2 -> tlv(out, 0x05, randomBytes(r, 1 + r.nextInt(128)));
                case 3 -> {
                    StringBuilder sub = new StringBuilder();
                    tlv(sub, 0x21, "TLSv1.3");
                    tlv(sub, 0x23, "TLS_AES_128_GCM_SHA256");
                    // client: PP2_CLIENT_SSL; verify: 0, the client's certificate was not checked.
                    tlv(out, 0x20, "\u0001\u0000\u0000\u0000\u0000" + sub);
                }
                case 4 -> tlv(out, 0x04, randomBytes(r, r.nextInt(16)));
                default -> tlv(out, 0xe0 + r.nextInt(16), randomBytes(r, r.nextInt(40)));
            }
        }
        return out.toString();
    }

    private static void tlv(StringBuilder out, int type, String value) {
        out.append((char) type).append((char) (value.length() >> 8)).append((char) (value.length() & 0xff)).append(value);
    }

    private static String randomBytes(SplittableRandom r, int n) {
        StringBuilder out = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            out.append((char) r.nextInt(256));
        }
        return out.toString();
    }

    private static String proxyV2Local() {
        return ProxyHeaders.V2_SIGNATURE + (char) 0x20 + (char) 0x00 + (char) 0 + (char) 0;
    }

    /**
     * Whether the site's gate covers the seed's path, as its README states the rule: a name that
     * ends in ".map", or has ".map" followed by something that does not continue the name (a
     * sibling such as /app.map.js or /app.js.map.gz).
     */
    private static boolean isGatedSeed(RequestSpec request) {
        String path = request.target.replaceFirst("^http://[^/]*", "").replaceFirst("\\?.*", "").toLowerCase();
        String name = path.substring(path.lastIndexOf('/') + 1);
        return name.endsWith(".map") || name.matches(".*\\.map[^a-z0-9].*");
    }

    private static RequestSpec seedRequest(SplittableRandom r, Setup setup, Connection conn, Credential credential) {
        int kind = r.nextInt(100);
        boolean existingMap = false;
        String path;
        String method;
        if (kind < 45) {
            existingMap = r.nextInt(100) < 80;
            path = existingMap ? oneOf(r, Setups.MAP_PATHS) : oneOf(r, Setups.MISSING_MAP_PATHS);
            method = r.nextInt(100) < 75 ? "GET" : "HEAD";
        } else if (kind < 80) {
            path = oneOf(r, Setups.ASSET_PATHS);
            method = r.nextInt(100) < 75 ? "GET" : "HEAD";
        } else {
            path = r.nextBoolean() ? oneOf(r, Setups.MAP_PATHS) : oneOf(r, Setups.ASSET_PATHS);
            method = kind < 95 ? "POST" : oneOf(r, List.of("OPTIONS", "PUT", "DELETE", "BREW"));
        }
        String target = path;
        if (r.nextInt(100) < 15) {
            target += "?v=" + r.nextInt(100000);
        }
        if (r.nextInt(100) < 5) {
            target = "http://" + Setups.HOST + target;
        }
        boolean http10 = r.nextInt(100) < 7;
        RequestSpec request = new RequestSpec(method, target, http10 ? "HTTP/1.0" : "HTTP/1.1");
        if (!http10 || r.nextBoolean()) {
            request.add("Host", Setups.HOST);
        }
        if (http10 && r.nextBoolean()) {
            request.add("Connection", "keep-alive");
        }
        if (r.nextInt(100) < 70) {
            request.add("User-Agent", r.nextBoolean() ? "symbolicator/24.7.1" : "Mozilla/5.0 (X11; Linux x86_64)");
        }
        if (r.nextBoolean()) {
            request.add("Accept-Encoding", "br, deflate, gzip, zstd");
        }
        addCredential(r, setup, request, credential);
        if (r.nextInt(100) < 15) {
            request.add("Range", oneOf(r, List.of("bytes=0-134217727", "bytes=0-99", "bytes=-64", "bytes=100-",
                    "bytes=0-0")));
        }
        if (r.nextInt(100) < 5) {
            request.add("If-None-Match", r.nextBoolean() ? "*" : "W/\"0-0\"");
        }
        if (r.nextInt(100) < 20) {
            request.add(oneOf(r, List.of("X-Request-Id", "Cookie", "Referer", "Accept")),
                    oneOf(r, List.of("a1b2c3", "session=xyz; theme=dark", "https://www.example/", "*/*")));
        }
        boolean addressAllowed = conn.allowed;
        if (setup == Setup.FORWARDED) {
            String forwarded = forwardedFor(r);
            if (forwarded != null) {
                request.add("X-Forwarded-For", forwarded);
            }
            if (conn.peer.equals(Setups.TRUSTED_PROXY)) {
                addressAllowed = Setups.allowed(forwardedClient(forwarded));
            }
        }
        if (r.nextInt(100) < 5) {
            request.add("Connection", "close");
        }
        if (method.equals("POST") || method.equals("PUT")) {
            addBody(r, request);
        }
        boolean read = method.equals("GET") || method.equals("HEAD");
        boolean addressOk = !setup.requiresAddress() || addressAllowed;
        if (existingMap && read && credential.valid && addressOk && !conn.refused) {
            request.expect = RequestSpec.Expect.MAP;
        }
        return request;
    }

    private static void addCredential(SplittableRandom r, Setup setup, RequestSpec request, Credential credential) {
        switch (credential) {
            case VALID_TOKEN -> request.add(setup.tokenHeader, Setups.TOKEN);
            case ROTATED_TOKEN -> request.add(setup.tokenHeader, Setups.ROTATED_TOKEN);
            case BAD_TOKEN -> request.add(setup.tokenHeader, oneOf(r, List.of("tok-guess", Setups.TOKEN + "0",
                    "x" + r.nextInt(1_000_000))));
            case VALID_BASIC -> request.add("Authorization", Setups.BASIC);
            case BAD_BASIC -> request.add("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (Setups.USER + ":guess" + r.nextInt(1000)).getBytes(StandardCharsets.UTF_8)));
            default -> { }
        }
    }

    /** An X-Forwarded-For value, or {@code null} for none. */
    private static String forwardedFor(SplittableRandom r) {
        return switch (r.nextInt(7)) {
            case 0 -> Setups.ALLOWED_IP;
            case 1 -> Setups.ALLOWED_NET + (1 + r.nextInt(254));
            case 2 -> "192.0.2.1, " + Setups.ALLOWED_IP;
            case 3 -> Setups.ALLOWED_IP + ", 192.0.2.1";
            case 4 -> Setups.ALLOWED_IP + ", " + Setups.TRUSTED_PROXY;
            case 5 -> "192.0.2." + (1 + r.nextInt(254));
            default -> null;
        };
    }

    /** The client a trusted proxy reports in a seed's X-Forwarded-For: the rightmost untrusted entry. */
    private static String forwardedClient(String forwarded) {
        if (forwarded == null) {
            return Setups.TRUSTED_PROXY;
        }
        String[] entries = forwarded.split(",");
        for (int i = entries.length - 1; i >= 0; i--) {
            String entry = entries[i].trim();
            if (!entry.equals(Setups.TRUSTED_PROXY)) {
                return entry;
            }
        }
        return Setups.TRUSTED_PROXY;
    }

    private static void addBody(SplittableRandom r, RequestSpec request) {
        // HTTP/1.0 has no chunked coding (RFC 9112 6.1), and mapgate answers it with 400: a seed
        // must be a valid request, so an HTTP/1.0 body always has a length.
        if (r.nextInt(100) < 70 && !request.version.equals("HTTP/1.0")) {
            request.add("Transfer-Encoding", "chunked");
            if (r.nextInt(100) < 20) {
                request.add("Expect", "100-continue");
            }
            StringBuilder body = new StringBuilder();
            int chunks = 1 + r.nextInt(3);
            for (int i = 0; i < chunks; i++) {
                String data = randomText(r, 1 + r.nextInt(40));
                body.append(Integer.toHexString(data.length())).append(r.nextInt(10) == 0 ? ";ext=1" : "")
                        .append("\r\n").append(data).append("\r\n");
            }
            body.append("0\r\n").append(r.nextInt(10) == 0 ? "X-Trailer: 1\r\n" : "").append("\r\n");
            request.body = body.toString();
        } else {
            String data = randomText(r, 1 + r.nextInt(64));
            request.add("Content-Length", Integer.toString(data.length()));
            request.body = data;
        }
    }

    static String randomText(SplittableRandom r, int length) {
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append((char) ('a' + r.nextInt(26)));
        }
        return out.toString();
    }

    /** How the bytes are cut into writes: at once, in a few pieces, in small ones, or byte by byte. */
    private static int[] writes(SplittableRandom r, int length) {
        if (length == 0) {
            return new int[0];
        }
        int style = pick(r, 40, 30, 20, 10);
        if (style == 0) {
            return new int[] {length};
        }
        int maxPiece = switch (style) {
            case 1 -> Math.max(1, length / 2);
            case 2 -> 16;
            default -> length <= 600 ? 1 : 8;
        };
        List<Integer> pieces = new ArrayList<>();
        int left = length;
        while (left > 0) {
            int piece = Math.min(left, 1 + r.nextInt(maxPiece));
            pieces.add(piece);
            left -= piece;
        }
        return pieces.stream().mapToInt(Integer::intValue).toArray();
    }

    /** {@code s} with each letter upper- or lower-cased at random. */
    static String randomCase(SplittableRandom r, String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(r.nextBoolean() ? Character.toUpperCase(c) : Character.toLowerCase(c));
        }
        return out.toString();
    }

    static <T> T oneOf(SplittableRandom r, List<T> options) {
        return options.get(r.nextInt(options.size()));
    }

    /** An index drawn with the given weights. */
    static int pick(SplittableRandom r, int... weights) {
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        int x = r.nextInt(total);
        for (int i = 0; i < weights.length; i++) {
            x -= weights[i];
            if (x < 0) {
                return i;
            }
        }
        return weights.length - 1;
    }
}
