package dev.mapgate.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cases that {@link RequestFuzzTest} once found failing, kept as the exact bytes its report
 * printed ({@code keep as a regression: FuzzCase.replay(...)}) and judged by the same oracle.
 * Bytes rather than seed and index, so that a change to the generator cannot quietly turn a
 * regression into some other case.
 */
class FuzzRegressionsTest {

    @TempDir
    static Path dir;
    private static CaseRunner mapgate;

    @BeforeAll
    static void start() {
        mapgate = new CaseRunner(Setups.create(dir));
    }

    @AfterAll
    static void stop() {
        mapgate.close();
    }

    private static void assertPasses(FuzzCase c) {
        Outcome outcome = mapgate.run(c);
        List<String> violations = Oracle.judge(c, outcome);
        assertThat(violations).as("%s\n  outcome: %s", c.describe(), outcome).isEmpty();
    }

    @Test
    void aBadPROXYHeaderFollowedByAGoodOneThrowsNothingWhenTheConnectionCloses() {
        // seed 0x1234 case 2708: the decoder fails on the first line and closes; while closing it
        // decodes the next line as a valid header, then fails again on the request line.
        assertPasses(FuzzCase.replay(Setup.PROXY, "127.0.0.1",
                "GET /missing.js.map HTTP/1.1\r\nPROXY TCP4 192.0.2.58 192.0.2.200 4739 443\r\nGET /missing.js.map HTTP/1.1\r\n"
                        + "Host: cdn.example\r\nAccept-Encoding: br, deflate, gzip, zstd\r\nAuthorization: Basic YWxpY2U6YWxpY2UtZnV6ei1wdw==\r\n\r\n"
                        + "GET /caf%C3%A9.js.map HTTP/1.1\r\nHost: cdn.example\r\nUser-Agent: symbolicator/24.7.1\r\n"
                        + "X-Sentry-Token: tok-fuzz-8e21c47a0\r\nAccept: session=xyz; theme=dark\r\n\r\n"));
    }

    @Test
    void aPROXYv2HeaderWhoseTlvRunsPastItsEndIsRefusedWithoutAnUnhandledException() {
        // Shortened from seed 0x1234 case 15757: Netty reads the TLV length (0x2536) without
        // checking it and throws IndexOutOfBoundsException rather than HAProxyProtocolException.
        assertPasses(FuzzCase.replay(Setup.PROXY, "127.0.0.1",
                ProxyHeaders.V2_SIGNATURE + "\u0021\u0011\u0000\u0014" + "\u00cb\u0000\u0071\u0007\u00c0\u0000\u0002\u00c8"
                        + "\u0012\u0067\u0001\u00bb" + "\u0001\u0025\u0036" + "abcde"
                        + "GET /app.js.map HTTP/1.1\r\nHost: cdn.example\r\nX-Sentry-Token: tok-fuzz-8e21c47a\r\n\r\n"));
    }

    @Test
    void aPathThroughAFileOrWithANameTooLongIsA404NotA500() {
        // seed 0x1234 cases 19021, 19063 and 5256: the file system's ENOTDIR and ENAMETOOLONG
        // came back as a plain FileSystemException, which the static origin answered with 500.
        assertPasses(FuzzCase.replay(Setup.PEER, "203.0.113.7",
                "GET /app.js.map/x.js HTTP/1.1\r\nHost: cdn.example\r\nX-Sentry-Token: tok-fuzz-8e21c47a\r\n\r\n"
                        + "GET /big.js/x.js HTTP/1.1\r\nHost: cdn.example\r\n\r\n"
                        + "GET /" + "a".repeat(300) + ".js HTTP/1.1\r\nHost: cdn.example\r\n\r\n"));
    }

    @Test
    void twoContentLengthLinesInHttp10AreRefusedNotReadAsTheFirst() {
        // seed 0x1234 case 10136: Netty kept the first length (52), so the GET after the body was
        // served; a server that reads the last (empty) length sees that GET as body.
        assertPasses(FuzzCase.replay(Setup.CREDENTIAL, "100.64.142.180",
                "PUT /caf%C3%A9.js HTTP/1.0\r\nConnection: keep-alive\r\nAccept-Encoding:\tbr, deflate, gzip, zstd\t\r\n"
                        + "X-Map-Key: tok-fuzz-rotated-93b1\r\nContent-Length: 52\r\nContent-Length: \r\n\r\n"
                        + "eqvnfxdeewbvaplrivngskwfysnlxgwfgtldyelnudapvpqzszkoGET /app.js.map HTTP/1.1\r\nHost: cdn.example\r\n"
                        + "User-Agent: symbolicator/24.7.1\r\nAccept-Encoding: br, deflate, gzip, zstd\r\n"
                        + "X-Map-Key: tok-fuzz-8e21c47a\r\n\r\n"));
        // seed 0x1234 case 2834: "chunked" as a second length, in 23 writes.
        assertPasses(FuzzCase.replay(Setup.FORWARDED, "127.0.0.1",
                "GET http://cdn.example/assets/app.js.map HTTP/1.0\r\nConnection: keep-alive\r\n"
                        + "Accept-Encoding: br, deflate, gzip, zstd\r\nX-Sentry-Token: tok-fuzz-rotated-93b1\r\n"
                        + "Range: bytes=-64\r\nX-Forwarded-For: 192.0.2.1, 203.0.113.7\r\nContent-Length: 0\r\n"
                        + "Content-Length: chunked\r\n\r\n"));
    }

    @Test
    void twoAuthorizationLinesAreNoCredentialLikeTwoTokenLines() {
        // seed 0x1234 case 2947: the first of two Authorization lines was checked and served
        // the map, while two token lines were already refused as ambiguous.
        assertPasses(FuzzCase.replay(Setup.CREDENTIAL, "100.64.211.239",
                "GET /caf%C3%A9.js.map HTTP/1.1\r\nHost: cdn.example\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n"
                        + "Accept-Encoding: br, deflate, gzip, zstd\r\nAuthorization: Basic YWxpY2U6YWxpY2UtZnV6ei1wdw==\r\n"
                        + "Authorization: Basic YWxpY2U6bm8=\r\n\r\n",
                12, 13, 6, 15, 1, 10, 1, 12, 16, 9, 11, 11, 8, 9, 11, 6, 3, 5, 14, 7, 3, 7, 2, 3, 12, 16, 3));
    }

    @Test
    void aPROXYv2HeaderWhoseTlvsRunPastItsEndLeaksNoBuffer() throws InterruptedException {
        // seed 0xbadc0de case 2560: the v2 length byte came from a duplicated "QUIT\n", so the
        // TLVs were read from the HTTP request; Netty 4.2.7 kept the TLVs it had read when a
        // later one failed, and never released them (netty/netty#16866, fixed in 4.2.15 and
        // 4.2.18). Only a trusted PROXY peer can send this.
        assertPasses(FuzzCase.replayInPieces(Setup.PROXY, "127.0.0.1",
                "\r\n\r\n\u0000\r\nQUIT\n!\u0011\u0000QUIT\n!\u0011\u0000\u000c\u00cb\u0000q\u0007\u00c0\u0000\u0002\u00c8"
                        + "\u0012\u00e7\u0001\u00bbGET /app.js.map HTTP/1.1\r\nHost: cdn.example\r\n"
                        + "User-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n\r\nGET /caf%C3%A9.js.map HTTP/1.1\r\n"
                        + "Host: cdn.example\r\nAccept-Encoding: br, deflate, gzip, zstd\r\n"
                        + "X-Sentry-Token: tok-fuzz-rotated-93b1\r\n\r\n", 1));
        assertThat(mapgate.leaks()).as("buffers leaked by the case").isEmpty();
    }

    @Test
    void aControlByteAfterTheMethodIsRefusedNotTrimmedAway() {
        // seed 0x85265e4fbacb2f67 case 97114: Netty's HttpMethod trims "GET\u0012" to GET, so
        // the request was served as a GET; the oracle, like RFC 9110, sees no method there.
        assertPasses(FuzzCase.replay(Setup.CREDENTIAL, "100.64.129.201",
                "GET\u0012 /caf%C3%A9.js.map HTTP/1.1\r\nHost: cdn.example\r\nX-Map-Key: tok-fuzz-8e21c47a\r\n\r\n"
                        + "GET /assets/app.js.map HTTP/1.1\r\nHost: cdn.example\r\nX-Map-Key: tok-fuzz-8e21c47a\r\n\r\n"));
    }

    @Test
    void aPROXYv1LineWithASpaceBeforeItsCrlfIsRefusedNotBelieved() {
        // seed 0xd0423031e14167dd case 16112: a byte inserted before the CRLF. Netty splits the
        // line on spaces and drops the empty last field, so it read the header as well-formed and
        // the map was served to the address in it; the specification allows no such space.
        assertPasses(FuzzCase.replay(Setup.PROXY, "127.0.0.1",
                "PROXY TCP4 198.51.100.195 192.0.2.200 53533 443 \r\nGET /deep/er/chunk-9f3a.mjs.map HTTP/1.1\r\n"
                        + "Host: cdn.example\r\nUser-Agent: symbolicator/24.7.1\r\nX-Sentry-Token: tok-fuzz-8e21c47a\r\n\r\n"
                        + "DELETE /assets/ HTTP/1.1\r\nHost: cdn.example\r\nUser-Agent: symbolicator/:4.7.1\r\n"
                        + "X-Sentry-Token: x878178\r\n\r\n"));
    }
}
