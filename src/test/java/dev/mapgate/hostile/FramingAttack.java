package dev.mapgate.hostile;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * A request whose framing servers read differently, carrying a request for the map without
 * credentials ({@link #SMUGGLED}) where a server that frames it another way would see a request
 * of its own.
 *
 * <p>Most break the head: mapgate refuses those with 400 and closes, and nothing reaches the
 * origin. The others have a valid head and break in the chunked body ({@link #inBody()}). mapgate
 * streams, so their head has reached the origin by the time the broken chunk is read; the
 * documented answer is that both connections are then closed before the origin gets the broken
 * chunk or anything after it, and the client gets mapgate's 400 unless the origin answered first.
 *
 * @param name        what the case is, for test names
 * @param attacks     how it could get the map past the gate, in words
 * @param brokenChunk where in {@code bytes} the first malformed chunk starts; -1 when the head is what is broken
 */
record FramingAttack(String name, String attacks, byte[] bytes, int brokenChunk) {

    /** The request for the map that must never be answered with it, nor reach the origin. */
    static final String SMUGGLED = "GET /assets/app.js.map HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

    private static final String POST = "POST /assets/app.js HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    private static final String CHUNKED_POST = POST + "Transfer-Encoding: chunked\r\n\r\n";
    private static final String GET = "GET /assets/app.js HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    private static final String LAST_CHUNK = "0\r\n\r\n";
    /** Chunked, this is an empty body followed by the smuggled request; by length, one body. */
    private static final String CHUNKED_THEN_SMUGGLED = LAST_CHUNK + SMUGGLED;

    static List<FramingAttack> all() {
        return List.of(
                attack("Content-Length, then Transfer-Encoding",
                        "CL.TE: framed by length the smuggled request is body and gets forwarded; framed by"
                                + " chunks it is a second request",
                        POST + cl(CHUNKED_THEN_SMUGGLED) + "Transfer-Encoding: chunked\r\n\r\n" + CHUNKED_THEN_SMUGGLED),
                attack("Transfer-Encoding, then Content-Length",
                        "TE.CL: the same disagreement with the headers the other way round, for parsers"
                                + " that let the first or the last one win",
                        POST + "Transfer-Encoding: chunked\r\n" + cl(CHUNKED_THEN_SMUGGLED) + "\r\n" + CHUNKED_THEN_SMUGGLED),
                attack("two different Content-Lengths",
                        "which one wins decides whether the smuggled request is body or a request",
                        POST + "Content-Length: 0\r\n" + cl(SMUGGLED) + "\r\n" + SMUGGLED),
                attack("two equal Content-Lengths",
                        "allowed by RFC 9110 if identical, but a later hop that joins or rejects them"
                                + " differently desynchronises; mapgate's rule refuses any repeat",
                        POST + cl(SMUGGLED) + cl(SMUGGLED) + "\r\n" + SMUGGLED),
                attack("Content-Length list '3, 3'",
                        "a parser that reads the leading number takes 3 bytes and the smuggled request"
                                + " as the next one; others refuse the list or read it as 0",
                        POST + "Content-Length: 3, 3\r\n\r\nabc" + SMUGGLED),
                attack("Transfer-Encoding 'gzip, chunked'",
                        "a coding mapgate cannot check; an origin that ignores unknown codings frames the"
                                + " body its own way",
                        POST + "Transfer-Encoding: gzip, chunked\r\n\r\n" + CHUNKED_THEN_SMUGGLED),
                attack("Transfer-Encoding 'chunked, gzip'",
                        "chunked is not the final coding, so the body length is unknowable (RFC 9112 6.3)",
                        POST + "Transfer-Encoding: chunked, gzip\r\n\r\n" + CHUNKED_THEN_SMUGGLED),
                attack("Transfer-Encoding 'identity' with Content-Length",
                        "'identity' no longer exists; servers that still know it use the length, others"
                                + " read to the end of the connection",
                        POST + "Transfer-Encoding: identity\r\n" + cl(SMUGGLED) + "\r\n" + SMUGGLED),
                attack("Transfer-Encoding 'xchunked' with Content-Length",
                        "a substring match sees chunked, an exact match sees an unknown coding and uses the length",
                        POST + "Transfer-Encoding: xchunked\r\n" + cl(CHUNKED_THEN_SMUGGLED) + "\r\n" + CHUNKED_THEN_SMUGGLED),
                attack("two Transfer-Encoding lines",
                        "chunked in one line, identity in the other: parsers that read only the first or the"
                                + " last line disagree",
                        POST + "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n" + cl(CHUNKED_THEN_SMUGGLED)
                                + "\r\n" + CHUNKED_THEN_SMUGGLED),
                attack("Transfer-Encoding on HTTP/1.0",
                        "HTTP/1.0 has no chunked coding; RFC 9112 6.1 says the framing is faulty",
                        "POST /assets/app.js HTTP/1.0\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n"
                                + cl(CHUNKED_THEN_SMUGGLED) + "\r\n" + CHUNKED_THEN_SMUGGLED),
                attack("obsolete line folding",
                        "a continuation line is joined to the header above by some parsers and read as a"
                                + " header of its own by others",
                        GET + "X-A: b\r\n c\r\n\r\n" + SMUGGLED),
                attack("folded Transfer-Encoding",
                        "unfolded, this is 'Transfer-Encoding: chunked'; not unfolded, an empty coding, and the"
                                + " length frames the body",
                        POST + cl(CHUNKED_THEN_SMUGGLED) + "Transfer-Encoding:\r\n chunked\r\n\r\n" + CHUNKED_THEN_SMUGGLED),
                attack("space before the colon",
                        "'Transfer-Encoding : chunked' is chunked to a parser that trims the name and an"
                                + " unknown header to one that does not (RFC 9112 5.1: refuse)",
                        POST + "Transfer-Encoding : chunked\r\n" + cl(CHUNKED_THEN_SMUGGLED) + "\r\n" + CHUNKED_THEN_SMUGGLED),
                attack("vertical tab in Transfer-Encoding",
                        "a control character some parsers trim as whitespace, so they see chunked and others do not",
                        POST + "Transfer-Encoding: \u000bchunked\r\n" + cl(CHUNKED_THEN_SMUGGLED) + "\r\n"
                                + CHUNKED_THEN_SMUGGLED),
                attack("NUL in a header value",
                        "C-string parsers end the line at NUL and may read the rest as another header or request",
                        GET + "X-A: a\u0000b\r\n\r\n" + SMUGGLED),
                attack("bare LF line endings",
                        "LF without CR ends a line for some parsers and not for others",
                        "GET /assets/app.js HTTP/1.1\nHost: 127.0.0.1\n\n" + SMUGGLED),
                attack("bare LF hiding Transfer-Encoding",
                        "to a parser that splits only at CRLF, Transfer-Encoding is part of the X-A value and"
                                + " the length frames the body",
                        POST + "X-A: b\nTransfer-Encoding: chunked\r\n" + cl(CHUNKED_THEN_SMUGGLED) + "\r\n"
                                + CHUNKED_THEN_SMUGGLED),
                brokenBody("chunk size 'zz'",
                        "not hex: a lax parser reads it as 0, ends the body and reads the smuggled request next",
                        chunkOfSmuggled("zz")),
                brokenBody("chunk size '-3'",
                        "a signed parse gives a negative length, which parsers clamp, ignore or wrap",
                        chunkOfSmuggled("-3")),
                brokenBody("chunk size '0x35'",
                        "strtol-style parsing reads '0' and ends the body; a prefix-aware one reads 0x35, the"
                                + " length of the smuggled request",
                        chunkOfSmuggled("0x" + Integer.toHexString(SMUGGLED.length()))),
                brokenBody("chunk size overflowing 64 bits",
                        "17 hex digits that wrap to the length of the smuggled request in a 64-bit parser",
                        chunkOfSmuggled("1000000000000" + String.format("%04x", SMUGGLED.length()))),
                brokenBody("chunk extension ending in bare LF",
                        "the size line ends at LF for some parsers; others read on into the chunk data",
                        chunkOfSmuggled(Integer.toHexString(SMUGGLED.length()) + ";ext\n")),
                brokenBody("chunk data not followed by CRLF",
                        "a parser that skips two bytes after the data without checking them resynchronises"
                                + " somewhere else",
                        "1\r\nx" + CHUNKED_THEN_SMUGGLED),
                attack("lower-case 'http/1.1'",
                        "the version is case-sensitive (RFC 9112 2.3); a lenient parser accepts it, a strict"
                                + " one refuses: they disagree on whether a request was made",
                        "GET /assets/app.js http/1.1\r\nHost: 127.0.0.1\r\n\r\n" + SMUGGLED),
                attack("HTTP/2.0 request line",
                        "HTTP/2 is not a text protocol; a server that treats it as HTTP/1.x guesses its framing",
                        "GET /assets/app.js HTTP/2.0\r\nHost: 127.0.0.1\r\n\r\n" + SMUGGLED),
                attack("HTTP/1.2 request line",
                        "a version mapgate does not speak: only HTTP/1.0 and HTTP/1.1 are defined",
                        "GET /assets/app.js HTTP/1.2\r\nHost: 127.0.0.1\r\n\r\n" + SMUGGLED),
                attack("HTTP/0.9 request line",
                        "no version, no headers: the lines after it are a body to some servers and requests"
                                + " to others",
                        "GET /assets/app.js\r\n" + SMUGGLED),
                attack("HTTP/2 connection preface",
                        "'PRI * HTTP/2.0' switches a prior-knowledge h2 server to binary framing, past the gate",
                        "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + SMUGGLED),
                attack("a GET whose body is a request (CL.0)",
                        "an origin that does not read a GET's body takes it for the next request on a pooled"
                                + " connection, and answers it to whoever sends that",
                        GET + cl(SMUGGLED) + "\r\n" + SMUGGLED),
                attack("a GET with a chunked body that is a request",
                        "the same, framed in chunks",
                        GET + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(SMUGGLED.length()) + "\r\n"
                                + SMUGGLED + "\r\n" + LAST_CHUNK),
                attack("an OPTIONS whose body is a request (CL.0)",
                        "the same, on another method that gives content no meaning",
                        "OPTIONS /assets/app.js HTTP/1.1\r\nHost: 127.0.0.1\r\n" + cl(SMUGGLED) + "\r\n" + SMUGGLED),
                attack("two Host headers",
                        "one server routes by the first, another by the last (RFC 9112 3.2: refuse)",
                        "GET /assets/app.js HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: assets.example.com\r\n\r\n" + SMUGGLED),
                attack("no Host in HTTP/1.1",
                        "RFC 9112 3.2 requires a 400; servers that default the host route it somewhere",
                        "GET /assets/app.js HTTP/1.1\r\n\r\n" + SMUGGLED),
                attack("Host that is not host[:port]",
                        "a space in the Host: some servers cut at it, others pass it to a router",
                        "GET /assets/app.js HTTP/1.1\r\nHost: assets.example.com evil.example\r\n\r\n" + SMUGGLED),
                attack("two spaces in the request line",
                        "'GET  /x' splits into an empty target and a shifted version for strict parsers;"
                                + " lenient ones collapse the spaces",
                        "GET  /assets/app.js HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" + SMUGGLED));
    }

    private static FramingAttack attack(String name, String attacks, String bytes) {
        return new FramingAttack(name, attacks, bytes.getBytes(StandardCharsets.ISO_8859_1), -1);
    }

    /** A valid chunked POST to the script whose body, from its first chunk on, is {@code body}. */
    private static FramingAttack brokenBody(String name, String attacks, String body) {
        return new FramingAttack(name, attacks, (CHUNKED_POST + body).getBytes(StandardCharsets.ISO_8859_1),
                CHUNKED_POST.length());
    }

    private static String cl(String body) {
        return "Content-Length: " + body.length() + "\r\n";
    }

    /** A chunked body whose one chunk header is {@code sizeLine} and whose data is the smuggled request. */
    private static String chunkOfSmuggled(String sizeLine) {
        String line = sizeLine.endsWith("\n") ? sizeLine : sizeLine + "\r\n";
        return line + SMUGGLED + "\r\n" + LAST_CHUNK;
    }

    /** Whether the head is valid and the chunked body is what is broken. */
    boolean inBody() {
        return brokenChunk >= 0;
    }

    /** The request line, as the origin gets it for an attack whose head is valid. */
    String requestLine() {
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        return text.substring(0, text.indexOf("\r\n"));
    }

    /** The body before the broken chunk: the most an origin may get of it. */
    byte[] bodyBeforeBrokenChunk() {
        int headEnd = new String(bytes, StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n") + 4;
        return Arrays.copyOfRange(bytes, headEnd, brokenChunk);
    }

    @Override
    public String toString() {
        return name;
    }
}
