package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChunkedBodyScannerTest {

    /** A fresh scanner and the buffer the decoder would hand it, fed read by read. */
    private static final class Run implements AutoCloseable {
        final ChunkedBodyScanner scanner = new ChunkedBodyScanner();
        final ByteBuf buffer = Unpooled.buffer();
        /** The first problem reported; nothing more is read after it, as in the decoder. */
        String problem;

        Run arrive(String bytes) {
            if (problem == null) {
                buffer.writeCharSequence(bytes, StandardCharsets.ISO_8859_1);
                problem = scanner.scan(buffer);
            }
            return this;
        }

        /** The decoder takes {@code bytes} off the front, as Netty does with complete lines and data. */
        Run consume(int bytes) {
            buffer.skipBytes(bytes);
            scanner.consumed(bytes);
            return this;
        }

        @Override
        public void close() {
            buffer.release();
        }
    }

    private static String atOnce(String body) {
        try (Run run = new Run()) {
            return run.arrive(body).problem;
        }
    }

    /**
     * {@code body} in two reads split at {@code split}, with all but the last byte of the first
     * consumed in between, as when Netty holds back the start of an incomplete line.
     */
    private static String inTwoReads(String body, int split) {
        try (Run run = new Run()) {
            return run.arrive(body.substring(0, split)).consume(split - 1).arrive(body.substring(split)).problem;
        }
    }

    /** {@code body} a byte at a time, none of it consumed, as from a very slow client. */
    private static String byteByByte(String body) {
        try (Run run = new Run()) {
            for (char c : body.toCharArray()) {
                run.arrive(String.valueOf(c));
            }
            return run.problem;
        }
    }

    private static void assertAccepted(String body) {
        assertThat(atOnce(body)).as("%s in one read", printable(body)).isNull();
        assertThat(byteByByte(body)).as("%s a byte at a time", printable(body)).isNull();
        for (int split = 1; split < body.length(); split++) {
            assertThat(inTwoReads(body, split)).as("%s split after %d bytes", printable(body), split).isNull();
        }
    }

    private static void assertRefused(String body) {
        assertThat(atOnce(body)).as("%s in one read", printable(body)).isNotNull();
        assertThat(byteByByte(body)).as("%s a byte at a time", printable(body)).isNotNull();
        for (int split = 1; split < body.length(); split++) {
            assertThat(inTwoReads(body, split)).as("%s split after %d bytes", printable(body), split).isNotNull();
        }
    }

    private static String printable(String s) {
        return "'" + s.replace("\r", "\\r").replace("\n", "\\n").replace("\t", "\\t") + "'";
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "3\r\nabc\r\n0\r\n\r\n",
            "0003\r\nabc\r\n0\r\n\r\n",
            "A\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n",
            "3;a=b\r\nabc\r\n0\r\n\r\n",
            "3;a=\"q\"\r\nabc\r\n0\r\n\r\n",
            "3;a=\"q \\\" \\\\ x\"\r\nabc\r\n0\r\n\r\n",
            "3 ;a\r\nabc\r\n0\r\n\r\n",
            "3\t; a = b ;c;d=\"\"\r\nabc\r\n0\r\n\r\n",
            "0;last=1\r\n\r\n",
            "0\r\n\r\n",
            "0\r\nX-Checksum: abc\r\nX-Empty:\r\nX-Spaced:  a b \t\r\n\r\n",
    })
    void wellFormedBodiesPassWhetherReadAtOnceByteByByteOrSplitAnywhere(String body) {
        assertAccepted(body);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // 17 hex digits: Netty's int wraps this to 0x35, a chunk of 53 bytes.
            "10000000000000035\r\n",
            "FFFFFFFF\r\n",
            "80000000\r\n",
            "100000000\r\n",
            "zz\r\n",
            "-3\r\nabc\r\n0\r\n\r\n",
            "+3\r\nabc\r\n0\r\n\r\n",
            "0x35\r\n",
            " 3\r\nabc\r\n0\r\n\r\n",
            "3 \r\nabc\r\n0\r\n\r\n",
            "3;\r\nabc\r\n0\r\n\r\n",
            "3;a=\r\nabc\r\n0\r\n\r\n",
            "3;a \r\nabc\r\n0\r\n\r\n",
            "3;a=b c\r\nabc\r\n0\r\n\r\n",
            "3;a=\"q\r\nabc\r\n0\r\n\r\n",
            "3;a=\"q\"x\r\nabc\r\n0\r\n\r\n",
            "3;a@b\r\nabc\r\n0\r\n\r\n",
            "\r\n",
            "3\nabc\r\n0\r\n\r\n",
            "3;ext\nabc\r\n0\r\n\r\n",
            "3\r\r\nabc\r\n0\r\n\r\n",
            "3\r\nabc0\r\n\r\n",
            "3\r\nabc\n0\r\n\r\n",
            "3\r\nabcd\r\n0\r\n\r\n",
            "0\r\nX-T: 1\r\n folded\r\n\r\n",
            "0\r\nX-T: 1\r\n\tfolded\r\n\r\n",
            "0\r\nX-T: 1\n\r\n",
            "0\r\nX-T: 1\r\n\n",
            "0\r\n\n",
            "0\r\nX-T 1\r\n\r\n",
            "0\r\nX T: 1\r\n\r\n",
            "0\r\n: 1\r\n\r\n",
            "0\r\nX-T: a\u0000b\r\n\r\n",
    })
    void malformedBodiesAreRefusedWhetherReadAtOnceByteByByteOrSplitAnywhere(String body) {
        assertRefused(body);
    }

    @Test
    void theLargestSizeNettyCanHoldIsAcceptedAndOneMoreIsNot() {
        assertThat(atOnce("7FFFFFFF\r\n")).as("the data simply has not arrived yet").isNull();
        assertThat(atOnce("00000000007fffffff\r\n")).as("leading zeros add nothing").isNull();
        assertThat(atOnce("80000000\r\n")).contains("7FFFFFFF");
    }

    @Test
    void theProblemNamesTheByteAndWhatShouldHaveBeenThere() {
        assertThat(atOnce("3 \r\n")).isEqualTo("malformed chunked body: 0x0D where ';' belongs");
        assertThat(atOnce("3\r\nabcX"))
                .isEqualTo("malformed chunked body: 'X' where CRLF after the chunk data belongs");
    }

    @Test
    void chunkDataIsCountedNotReadSoWhatLooksLikeFramingInsideItIsJustData() {
        assertAccepted("9\r\n0\r\n\r\nzz\n \r\n0\r\n\r\n");
    }

    @Test
    void nothingAfterTheEndOfTheBodyIsScannedItIsTheNextRequest() {
        try (Run run = new Run()) {
            String body = "0\r\n\r\n";
            assertThat(run.arrive(body + "GET /\tbroken\n").problem).isNull();
            assertThat(run.consume(body.length()).arrive("more\n").problem)
                    .as("a scanner that has reached the end of the body stays there").isNull();
        }
    }

    @Test
    void bytesAlreadyScannedAreNotScannedAgainWhenTheDecoderHandsThemBack() {
        try (Run run = new Run()) {
            assertThat(run.arrive("3\r\nab").problem).isNull();
            // Break an already scanned byte: only a scanner that re-read old bytes could notice.
            run.buffer.setByte(0, 'z');
            assertThat(run.arrive("c\r\n0\r\n\r\n").problem).isNull();
        }
    }

    @Test
    void aScannerStartedAgainJudgesTheNextBodyAfresh() {
        try (Run run = new Run()) {
            assertThat(run.arrive("zz\r\n").problem).isNotNull();
            run.buffer.clear().writeCharSequence("3\r\nabc\r\n0\r\n\r\n", StandardCharsets.ISO_8859_1);
            run.scanner.start();
            assertThat(run.scanner.scan(run.buffer)).isNull();
        }
    }
}
