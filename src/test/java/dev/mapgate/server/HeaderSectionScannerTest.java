package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HeaderSectionScannerTest {

    private final HeaderSectionScanner scanner = new HeaderSectionScanner();
    private final ByteBuf buffer = Unpooled.buffer();

    @AfterEach
    void release() {
        buffer.release();
    }

    /** Appends {@code text} a byte at a time, scanning after each, as a very slow client would be read. */
    private boolean dribble(String text) {
        boolean folded = false;
        for (byte b : text.getBytes(StandardCharsets.ISO_8859_1)) {
            buffer.writeByte(b);
            folded |= scanner.scan(buffer);
        }
        return folded;
    }

    private boolean scanAtOnce(String text) {
        buffer.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
        return scanner.scan(buffer);
    }

    @Test
    void aHeaderLineStartingWithASpaceOrTabIsFoundEvenWhenItArrivesAByteAtATime() {
        assertThat(dribble("GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n two\r\n\r\n")).isTrue();
        buffer.clear();
        scanner.nextRequest();
        assertThat(dribble("GET / HTTP/1.1\r\nHost: a\r\nX-Long: one\r\n\ttwo\r\n\r\n")).isTrue();
    }

    @Test
    void aSecondContentLengthLineIsRefusedInAnyCaseEvenAByteAtATime() {
        assertThat(dribble("GET / HTTP/1.0\r\nContent-Length: 0\r\ncontent-LENGTH: 5\r\n\r\n")).isTrue();
        assertThat(scanner.problem()).contains("Content-Length");
        buffer.clear();
        scanner.nextRequest();
        assertThat(scanAtOnce("GET / HTTP/1.0\r\nContent-Length: 0\r\nX-Content-Length: 1\r\nContent-Lengths: 2\r\n"
                + "X: Content-Length: 3\r\n\r\n")).as("one Content-Length line and others that only look like it").isFalse();
        buffer.clear();
        scanner.nextRequest();
        assertThat(scanAtOnce("GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n")).as("each request has its own count").isFalse();
    }

    @Test
    void anOrdinaryHeadIsNotFoldedWhetherScannedAtOnceOrByteByByte() {
        String head = "GET / HTTP/1.1\r\nHost: a\r\nX-Spaces: a  b \t c\r\n\r\n";
        assertThat(scanAtOnce(head)).isFalse();
        buffer.clear();
        scanner.nextRequest();
        assertThat(dribble(head)).isFalse();
    }

    @Test
    void whitespaceInsideValuesAndBeforeTheRequestLineIsNotAFold() {
        assertThat(scanAtOnce("\r\n\r\n  GET / HTTP/1.1\r\nHost:  spaced  \r\n\r\n")).isFalse();
        assertThat(scanner.hasStarted()).isTrue();
    }

    @Test
    void aRequestStartsWithItsFirstByteOtherThanTheBlankLinesNettySkips() {
        scanAtOnce("\r\n \t\r\n");
        assertThat(scanner.hasStarted()).as("only blank bytes so far").isFalse();
        scanAtOnce("G");
        assertThat(scanner.hasStarted()).isTrue();
    }

    @Test
    void theBodyAfterTheHeaderSectionIsNotScannedEvenIfItLooksFolded() {
        assertThat(scanAtOnce("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\n\r\n folded")).isFalse();
    }

    @Test
    void aFoldInTheNextRequestIsFoundOnceTheScannerIsMovedToIt() {
        String first = "GET /a HTTP/1.1\r\nHost: a\r\n\r\n";
        assertThat(scanAtOnce(first + "GET /b HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n")).isFalse();
        // The decoder consumes the first request, then moves the scanner to the next one.
        buffer.skipBytes(first.length());
        scanner.nextRequest();
        assertThat(scanner.scan(buffer)).isTrue();
    }

    @Test
    void bytesAlreadyScannedAreNotScannedAgainWhenTheDecoderHandsThemBack() {
        assertThat(scanAtOnce("GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n")).isFalse();
        // Turn an already scanned line into a fold: only a scanner that re-read old bytes could see it.
        buffer.setByte(buffer.readerIndex() + "GET / HTTP/1.1\r\nHost: a\r\n".length(), ' ');
        assertThat(scanAtOnce("Y: 2\r\n")).isFalse();
    }

    @Test
    void whatTheDecoderConsumedIsNotCountedTwice() {
        String line = "GET / HTTP/1.1\r\n";
        assertThat(scanAtOnce(line + "Host: a\r\n")).isFalse();
        // Netty consumes complete lines as they arrive; the rest of the head comes later.
        buffer.skipBytes(line.length());
        scanner.consumed(line.length());
        assertThat(scanAtOnce(" folded\r\n\r\n")).isTrue();
    }
}
