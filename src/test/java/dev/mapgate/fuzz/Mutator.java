package dev.mapgate.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Mutations of a valid case, in two kinds. Structured ones change a request's parts before it is
 * written (framing headers, path spellings, credentials, case, obs-fold, huge values, pipelining);
 * byte ones then change the bytes blindly (flip, insert, delete, duplicate, truncate, CR/LF/NUL).
 * Each mutation appends a short description to the case's list, so a failure says what was done.
 */
final class Mutator {

    private static final List<String> CONTENT_LENGTHS = List.of(
            "0", "1", "5", "-1", "1, 1", "+5", " 5", "0x5", "5 5", "99999999999999999999", "", "1,", "4294967296", "07");
    private static final List<String> TRANSFER_ENCODINGS = List.of(
            "chunked", "Chunked", "CHUNKED", "chunked, identity", "identity", "gzip, chunked", " chunked", "chunked\t",
            "\"chunked\"", "xchunked", "chunked,", ",chunked", "chunk", "identity, chunked", "chunked;q=1");
    private static final List<String> HOSTS = List.of(
            "", Setups.HOST + ":99999", "a b", Setups.HOST + ", other.example", "[::1]", Setups.HOST + ":", "@other.example",
            "other.example", Setups.HOST.toUpperCase(Locale.ROOT), Setups.HOST + ".", "user@" + Setups.HOST, "[v1.x]", "%63dn.example");
    private static final List<String> VERSIONS = List.of(
            "HTTP/1.0", "HTTP/1.2", "HTTP/2.0", "http/1.1", "HTTP/1.1 ", "HTTP/1", "HTTP/1.10", "HTTP/0.9", "", "HTTP/1.1\t",
            "HTTP/ 1.1", "HTTPS/1.1");
    private static final List<String> METHODS = List.of(
            "get", "Get", "GET ", "G ET", "CONNECT", "TRACE", "PRI", "PROPFIND", "", "GET\t", "HEAD", "OPTIONS", "G\u0000ET",
            "GET/", "M".repeat(300));
    private static final List<String> CONTROL = List.of("\u0000", "\u0001", "\u007f", "\u0080", "\u00ff", "\u000b",
            "\u000c", "\r", "\n", "\t");
    private static final byte[] INTERESTING = {'\r', '\n', 0, ' ', '\t', ':', '%', '/', '.', (byte) 0x80, (byte) 0xff,
        0x0b, 0x0c, ',', ';', '"', '0', 'a', 'F', '-', '?', '#', '\\', 0x7f};

    /**
     * Applies one to five mutations: the structured ones now, to {@code prefix} and
     * {@code requests}.
     *
     * @return how many byte mutations {@link #mutateBytes} is to apply once they are written
     */
    int mutate(SplittableRandom r, Setup setup, StringBuilder prefix, List<RequestSpec> requests, List<String> log) {
        int count = 1 + CaseGenerator.pick(r, 45, 25, 15, 8, 7);
        int byteMutations = 0;
        for (int i = 0; i < count; i++) {
            if (r.nextInt(100) < 55) {
                structured(r, setup, prefix, requests, log);
            } else {
                byteMutations++;
            }
        }
        return byteMutations;
    }

    private static void structured(SplittableRandom r, Setup setup, StringBuilder prefix, List<RequestSpec> requests,
                                   List<String> log) {
        int which = r.nextInt(requests.size());
        RequestSpec q = requests.get(which);
        String at = "#" + which + " ";
        switch (r.nextInt(19)) {
            case 0 -> {
                if (!q.headerLines.isEmpty()) {
                    String line = q.headerLines.get(r.nextInt(q.headerLines.size()));
                    q.headerLines.add(r.nextInt(q.headerLines.size() + 1), line);
                    log.add(at + "duplicate " + name(line));
                }
            }
            case 1, 2 -> framing(r, q, at, log);
            case 3, 4 -> {
                q.target = PathGames.variant(r, q.target);
                log.add(at + "target " + q.target);
            }
            case 5 -> caseGames(r, q, at, log);
            case 6 -> huge(r, q, at, log);
            case 7 -> obsFold(r, q, at, log);
            case 8 -> colonGames(r, q, at, log);
            case 9 -> {
                int how = r.nextInt(3);
                if (how == 0) {
                    q.removeAll("Host");
                    log.add(at + "no Host");
                } else if (how == 1) {
                    q.add("Host", CaseGenerator.oneOf(r, HOSTS));
                    log.add(at + "second Host");
                } else {
                    String host = CaseGenerator.oneOf(r, HOSTS);
                    q.set("Host", host);
                    log.add(at + "Host " + host);
                }
            }
            case 10, 11 -> credentialGames(r, setup, q, at, log);
            case 12 -> {
                q.version = CaseGenerator.oneOf(r, VERSIONS);
                log.add(at + "version " + q.version);
            }
            case 13 -> chunkGames(r, q, at, log);
            case 14 -> {
                String value = CaseGenerator.oneOf(r, List.of(Setups.ALLOWED_IP, "unknown", Setups.ALLOWED_IP + ":99999",
                        "0203.0.113.7", Setups.ALLOWED_IP + " , " + Setups.TRUSTED_PROXY, "[" + Setups.ALLOWED_IP + "]",
                        "192.0.2.1," + Setups.ALLOWED_IP, Setups.ALLOWED_IP + ", garbage", "::ffff:" + Setups.ALLOWED_IP,
                        Setups.TRUSTED_PROXY, ""));
                if (r.nextBoolean()) {
                    q.add("X-Forwarded-For", value);
                } else {
                    q.set("X-Forwarded-For", value);
                }
                log.add(at + "X-Forwarded-For " + value);
            }
            case 15 -> proxyGames(r, prefix, log);
            case 16 -> pipelineGames(r, requests, q, which, log);
            case 17 -> {
                q.method = CaseGenerator.oneOf(r, METHODS);
                log.add(at + "method " + q.method);
            }
            default -> controlChars(r, q, at, log);
        }
    }

    private static void framing(SplittableRandom r, RequestSpec q, String at, List<String> log) {
        switch (r.nextInt(6)) {
            case 0 -> {
                String value = CaseGenerator.oneOf(r, CONTENT_LENGTHS);
                q.add("Content-Length", value);
                log.add(at + "Content-Length " + value);
            }
            case 1 -> {
                String value = CaseGenerator.oneOf(r, TRANSFER_ENCODINGS);
                q.add("Transfer-Encoding", value);
                if (r.nextBoolean() && q.body.isEmpty()) {
                    q.body = "5\r\nhello\r\n0\r\n\r\n";
                }
                log.add(at + "Transfer-Encoding " + value);
            }
            case 2 -> {
                q.add("Content-Length", Integer.toString(q.body.length()));
                q.add(r.nextBoolean() ? "Transfer-Encoding" : "Content-Length",
                        r.nextBoolean() ? "chunked" : Integer.toString(q.body.length() + r.nextInt(3)));
                log.add(at + "two framing headers");
            }
            case 3 -> {
                q.removeAll("Transfer-Encoding");
                log.add(at + "Transfer-Encoding removed, body kept");
            }
            case 4 -> {
                int length = Math.max(0, q.body.length() + r.nextInt(11) - 5);
                q.set("Content-Length", Integer.toString(length));
                q.removeAll("Transfer-Encoding");
                log.add(at + "Content-Length " + length + " for a body of " + q.body.length());
            }
            default -> {
                q.add("Expect", CaseGenerator.oneOf(r, List.of("100-continue", "100-Continue", "foo", "100-continue, x")));
                log.add(at + "Expect");
            }
        }
    }

    private static void caseGames(SplittableRandom r, RequestSpec q, String at, List<String> log) {
        if (r.nextBoolean() || q.headerLines.isEmpty()) {
            q.method = r.nextBoolean() ? q.method.toLowerCase(Locale.ROOT) : CaseGenerator.randomCase(r, q.method);
            log.add(at + "method case " + q.method);
            return;
        }
        int i = r.nextInt(q.headerLines.size());
        String line = q.headerLines.get(i);
        int colon = line.indexOf(':');
        if (colon > 0) {
            q.headerLines.set(i, CaseGenerator.randomCase(r, line.substring(0, colon)) + line.substring(colon));
        }
        log.add(at + "name case " + name(q.headerLines.get(i)));
    }

    private static void huge(SplittableRandom r, RequestSpec q, String at, List<String> log) {
        switch (r.nextInt(4)) {
            case 0 -> {
                int size = 4000 + r.nextInt(16000);
                q.add("X-Big", "v".repeat(size));
                log.add(at + "header of " + size + " bytes");
            }
            case 1 -> {
                int size = 7000 + r.nextInt(3000);
                q.target = q.target + (q.target.contains("?") ? "&" : "?") + "q=" + "a".repeat(size);
                log.add(at + "target of " + q.target.length() + " bytes");
            }
            case 2 -> {
                int lines = 90 + r.nextInt(40);
                for (int i = 0; i < lines; i++) {
                    q.add("X-H" + i, "1");
                }
                log.add(at + lines + " more header lines");
            }
            default -> {
                int size = 1000 + r.nextInt(20000);
                String credential = r.nextBoolean() ? Setups.TOKEN + "x".repeat(size) : "x".repeat(size);
                q.add("X-Sentry-Token", credential);
                log.add(at + "token header of " + size + " bytes");
            }
        }
    }

    private static void obsFold(SplittableRandom r, RequestSpec q, String at, List<String> log) {
        if (q.headerLines.isEmpty() || r.nextInt(4) == 0) {
            q.headerLines.add(r.nextInt(q.headerLines.size() + 1), (r.nextBoolean() ? " " : "\t") + "folded");
            log.add(at + "line starting with whitespace");
            return;
        }
        int i = r.nextInt(q.headerLines.size());
        String line = q.headerLines.get(i);
        int cut = line.indexOf(':') + 1 + r.nextInt(Math.max(1, line.length() - line.indexOf(':')));
        cut = Math.min(cut, line.length());
        q.headerLines.set(i, line.substring(0, cut) + (r.nextBoolean() ? "\r\n " : "\r\n\t") + line.substring(cut));
        log.add(at + "obs-fold in " + name(line));
    }

    private static void colonGames(SplittableRandom r, RequestSpec q, String at, List<String> log) {
        if (q.headerLines.isEmpty()) {
            return;
        }
        int i = r.nextInt(q.headerLines.size());
        String line = q.headerLines.get(i);
        int colon = line.indexOf(':');
        if (colon < 0) {
            return;
        }
        String name = line.substring(0, colon);
        String value = line.substring(colon + 1).trim();
        String changed = switch (r.nextInt(8)) {
            case 0 -> name + " : " + value;
            case 1 -> name + ":" + value;
            case 2 -> name + ":\t" + value + "\t";
            case 3 -> name + ";: " + value;
            case 4 -> name.replace('-', ' ') + ": " + value;
            case 5 -> ": " + value;
            case 6 -> name + " " + value;
            default -> name + ":  " + value + "   ";
        };
        q.headerLines.set(i, changed);
        log.add(at + "colon game on " + name);
    }

    private static void credentialGames(SplittableRandom r, Setup setup, RequestSpec q, String at, List<String> log) {
        String header = setup.tokenHeader;
        String b64 = Setups.BASIC.substring("Basic ".length());
        switch (r.nextInt(8)) {
            case 0 -> {
                String value = CaseGenerator.oneOf(r, List.of(" " + Setups.TOKEN, Setups.TOKEN + " ", "\t" + Setups.TOKEN,
                        Setups.TOKEN + "\t", Setups.TOKEN.toUpperCase(Locale.ROOT), Setups.TOKEN + "x",
                        Setups.TOKEN.substring(1), "", Setups.TOKEN + "," + Setups.TOKEN, "\"" + Setups.TOKEN + "\"",
                        Setups.TOKEN + "\u0000", Setups.ROTATED_TOKEN, Setups.TOKEN + "\u00a0", "\u00a0" + Setups.TOKEN));
                q.set(header, value);
                log.add(at + "token value " + FuzzCase.escape(value.getBytes(StandardCharsets.ISO_8859_1), 80));
            }
            case 1 -> {
                q.add(header, Setups.TOKEN);
                q.add(header, r.nextBoolean() ? Setups.TOKEN : "wrong");
                log.add(at + "two token lines");
            }
            case 2 -> {
                String name = CaseGenerator.oneOf(r, List.of(header.toLowerCase(Locale.ROOT),
                        header.toUpperCase(Locale.ROOT), header + " ", header.replace('-', '_'), header + "s",
                        "X-Sentry-Token", "X-Map-Key", "Authorization"));
                q.removeAll(header);
                q.headerLines.add(r.nextInt(q.headerLines.size() + 1), name + ": " + Setups.TOKEN);
                log.add(at + "token under name " + name);
            }
            case 3 -> {
                String value = CaseGenerator.oneOf(r, List.of("basic " + b64, "BASIC " + b64, "Basic  " + b64,
                        "Basic " + b64 + "=", "Basic " + b64 + " ", "Basic\t" + b64, "Bearer " + Setups.TOKEN,
                        "Basic " + b64.substring(0, b64.length() - 1) + "x", "Basic " + basic(Setups.USER + ":" + Setups.PASSWORD + "\n"),
                        "Basic " + basic("ALICE:" + Setups.PASSWORD), "Basic " + basic(Setups.USER + ":" + Setups.PASSWORD + ":"),
                        Setups.BASIC, "Basic " + b64.replace("=", "")));
                q.set("Authorization", value);
                log.add(at + "Authorization " + value);
            }
            case 4 -> {
                q.add("Authorization", Setups.BASIC);
                q.add("Authorization", r.nextBoolean() ? Setups.BASIC : "Basic " + basic("alice:no"));
                log.add(at + "two Authorization lines");
            }
            case 5 -> {
                q.add(r.nextBoolean() ? header : "Authorization", r.nextBoolean() ? Setups.TOKEN : Setups.BASIC);
                log.add(at + "credential added");
            }
            case 6 -> {
                q.removeAll(header);
                q.removeAll("Authorization");
                log.add(at + "credentials removed");
            }
            default -> {
                q.add(CaseGenerator.oneOf(r, List.of("X-Original-URL", "X-Rewrite-URL", "Upgrade", "HTTP2-Settings",
                        "Forwarded", "X-Real-IP")), CaseGenerator.oneOf(r, List.of("/app.js.map", "h2c", "AAMAAABkAAQAAP__",
                        "for=" + Setups.ALLOWED_IP, Setups.ALLOWED_IP)));
                log.add(at + "rewrite or upgrade header");
            }
        }
    }

    private static String basic(String userAndPassword) {
        return Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
    }

    private static void chunkGames(SplittableRandom r, RequestSpec q, String at, List<String> log) {
        if (!q.isChunked()) {
            q.removeAll("Content-Length");
            q.add("Transfer-Encoding", "chunked");
        }
        String data = CaseGenerator.randomText(r, 1 + r.nextInt(20));
        String size = Integer.toHexString(data.length());
        String body = switch (r.nextInt(14)) {
            case 0 -> "zz\r\n" + data + "\r\n0\r\n\r\n";
            case 1 -> "FFFFFFFFFFFFFFFFF\r\n" + data + "\r\n0\r\n\r\n";
            case 2 -> "-1\r\n" + data + "\r\n0\r\n\r\n";
            case 3 -> "0x" + size + "\r\n" + data + "\r\n0\r\n\r\n";
            case 4 -> size + ";a=b;c=\"d\"\r\n" + data + "\r\n0\r\n\r\n";
            case 5 -> size + ";\r\n" + data + "\r\n0\r\n\r\n";
            case 6 -> size + "\r\n" + data + "0\r\n\r\n";
            case 7 -> size + "\n" + data + "\n0\n\n";
            case 8 -> size + "\r\n" + data + "\r\n0\r\nX-T: a\r\n b\r\n\r\n";
            case 9 -> size + "\r\n" + data + "\r\n0\r\n\r\nGET /app.js.map HTTP/1.1\r\nHost: " + Setups.HOST + "\r\n\r\n";
            case 10 -> " " + size + "\r\n" + data + "\r\n0\r\n\r\n";
            case 11 -> size.toUpperCase(Locale.ROOT) + " \r\n" + data + "\r\n0\r\n\r\n";
            case 12 -> "7FFFFFFF\r\n" + data + "\r\n0\r\n\r\n";
            default -> size + "\r\n" + data + "\r\n" + "0000\r\n\r\n";
        };
        q.body = body;
        log.add(at + "chunked body " + FuzzCase.escape(body.getBytes(StandardCharsets.ISO_8859_1), 60));
    }

    private static void proxyGames(SplittableRandom r, StringBuilder prefix, List<String> log) {
        String changed = switch (r.nextInt(8)) {
            case 0 -> "PROXY TCP4 " + Setups.ALLOWED_IP + " 192.0.2.200 4711 443\r\n";
            case 1 -> "PROXY TCP4  " + Setups.ALLOWED_IP + " 192.0.2.200 4711 443\r\n";
            case 2 -> "proxy TCP4 " + Setups.ALLOWED_IP + " 192.0.2.200 4711 443\r\n";
            case 3 -> "PROXY TCP4 " + Setups.ALLOWED_IP + " 192.0.2.200 4711 443\n";
            case 4 -> "PROXY TCP6 " + Setups.ALLOWED_IP + " 192.0.2.200 4711 443\r\n";
            case 5 -> "PROXY TCP4 0" + Setups.ALLOWED_IP + " 192.0.2.200 4711 443\r\n";
            case 6 -> "";
            default -> prefix + prefix.toString();
        };
        prefix.setLength(0);
        prefix.append(changed);
        log.add("PROXY header " + FuzzCase.escape(changed.getBytes(StandardCharsets.ISO_8859_1), 80));
    }

    private static void pipelineGames(SplittableRandom r, List<RequestSpec> requests, RequestSpec q, int which,
                                      List<String> log) {
        switch (r.nextInt(5)) {
            case 0 -> {
                requests.add(which, copy(q));
                log.add("#" + which + " sent twice");
            }
            case 1 -> {
                if (requests.size() > 1) {
                    int other = r.nextInt(requests.size());
                    requests.set(which, requests.get(other));
                    requests.set(other, q);
                    log.add("#" + which + " swapped with #" + other);
                }
            }
            case 2 -> {
                q.method = CaseGenerator.oneOf(r, List.of("\r\n", "\r\n\r\n", "\n", " ", "\u0000", "junk\r\n")) + q.method;
                log.add("#" + which + " preceded by junk");
            }
            case 3 -> {
                RequestSpec smuggled = new RequestSpec("GET", "/app.js.map", "HTTP/1.1");
                smuggled.add("Host", Setups.HOST);
                q.body = q.body + smuggled.wire();
                log.add("#" + which + " body carries a map request without credential");
            }
            default -> {
                q.set("Connection", CaseGenerator.oneOf(r, List.of("close", "keep-alive", "Upgrade", "close, keep-alive")));
                log.add("#" + which + " Connection");
            }
        }
    }

    private static RequestSpec copy(RequestSpec q) {
        RequestSpec copy = new RequestSpec(q.method, q.target, q.version);
        copy.headerLines.addAll(q.headerLines);
        copy.body = q.body;
        copy.expect = q.expect;
        return copy;
    }

    private static void controlChars(SplittableRandom r, RequestSpec q, String at, List<String> log) {
        String c = CaseGenerator.oneOf(r, CONTROL);
        if (q.headerLines.isEmpty() || r.nextBoolean()) {
            int i = r.nextInt(q.target.length() + 1);
            q.target = q.target.substring(0, i) + c + q.target.substring(i);
            log.add(at + "control character in target");
            return;
        }
        int i = r.nextInt(q.headerLines.size());
        String line = q.headerLines.get(i);
        int at2 = r.nextInt(line.length() + 1);
        q.headerLines.set(i, line.substring(0, at2) + c + line.substring(at2));
        log.add(at + "control character in " + name(line));
    }

    /**
     * Applies {@code count} blind byte mutations.
     */
    byte[] mutateBytes(SplittableRandom r, byte[] in, int count, List<String> log) {
        byte[] bytes = in;
        for (int i = 0; i < count && bytes.length > 0; i++) {
            int at = r.nextInt(bytes.length);
            switch (r.nextInt(7)) {
                case 0 -> {
                    bytes = bytes.clone();
                    bytes[at] = (byte) (r.nextBoolean() ? r.nextInt(256) : bytes[at] ^ (1 << r.nextInt(8)));
                    log.add("flip@" + at);
                }
                case 1 -> {
                    int n = 1 + r.nextInt(4);
                    byte[] insert = new byte[n];
                    for (int k = 0; k < n; k++) {
                        insert[k] = r.nextBoolean() ? INTERESTING[r.nextInt(INTERESTING.length)] : (byte) r.nextInt(256);
                    }
                    bytes = splice(bytes, at, 0, insert);
                    log.add("insert" + n + "@" + at);
                }
                case 2 -> {
                    int n = 1 + r.nextInt(Math.min(16, bytes.length - at));
                    bytes = splice(bytes, at, n, new byte[0]);
                    log.add("delete" + n + "@" + at);
                }
                case 3 -> {
                    int n = 1 + r.nextInt(Math.min(32, bytes.length - at));
                    byte[] copy = java.util.Arrays.copyOfRange(bytes, at, at + n);
                    bytes = splice(bytes, at, 0, copy);
                    log.add("duplicate" + n + "@" + at);
                }
                case 4 -> {
                    bytes = java.util.Arrays.copyOf(bytes, at);
                    log.add("truncate@" + at);
                }
                case 5 -> {
                    byte[] line = CaseGenerator.oneOf(r, List.of("\r\n", "\n", "\r", "\r\n\r\n", "\r\n "))
                            .getBytes(StandardCharsets.ISO_8859_1);
                    bytes = splice(bytes, at, 0, line);
                    log.add("line-end@" + at);
                }
                default -> {
                    // A whole line of the input again somewhere else: a header moved or repeated.
                    int start = lineStart(bytes, r.nextInt(bytes.length));
                    int end = lineEnd(bytes, start);
                    byte[] line = java.util.Arrays.copyOfRange(bytes, start, end);
                    bytes = splice(bytes, lineStart(bytes, at), 0, line);
                    log.add("line-copy@" + start);
                }
            }
        }
        return bytes;
    }

    private static int lineStart(byte[] bytes, int at) {
        int i = at;
        while (i > 0 && bytes[i - 1] != '\n') {
            i--;
        }
        return i;
    }

    private static int lineEnd(byte[] bytes, int start) {
        int i = start;
        while (i < bytes.length && bytes[i] != '\n') {
            i++;
        }
        return Math.min(bytes.length, i + 1);
    }

    private static byte[] splice(byte[] bytes, int at, int remove, byte[] insert) {
        byte[] out = new byte[bytes.length - remove + insert.length];
        System.arraycopy(bytes, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(bytes, at + remove, out, at + insert.length, bytes.length - at - remove);
        return out;
    }

    private static String name(String line) {
        int colon = line.indexOf(':');
        String name = colon < 0 ? line : line.substring(0, colon);
        return name.length() > 40 ? name.substring(0, 40) + "..." : name;
    }
}
