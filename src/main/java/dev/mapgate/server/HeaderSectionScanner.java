package dev.mapgate.server;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;
import java.nio.charset.StandardCharsets;

/**
 * Watches the raw bytes of one request head, from its first byte to the empty line that ends its
 * header section, for what Netty's decoder would otherwise accept silently: a header line that
 * starts with a space or tab (obs-fold, RFC 9112 section 5.2). Netty joins such a line onto the
 * previous header's value, while other servers treat it as a header of its own, so the two can
 * disagree about the request; mapgate refuses it instead. Likewise a second {@code Content-Length}
 * line: Netty refuses one in HTTP/1.1 but in HTTP/1.0 keeps the first and drops the rest, where
 * a server that reads the last one sees another body and another next request.
 *
 * <p>It also tells when a request has started, which starts the header clock.
 *
 * <p>The decoder hands back the bytes it has not consumed yet on every call, so the scanner
 * remembers how far past the reader index it has already looked and looks at each byte once.
 */
final class HeaderSectionScanner implements ByteProcessor {

    private enum State {
        /** Before the request line: the blank and control bytes Netty skips there. */
        BEFORE_REQUEST,
        IN_LINE,
        LINE_START,
        /** A CR at the start of a line: the empty line that ends the header section, once LF follows. */
        EMPTY_LINE,
        /** The header section is complete; what follows is body or the next request. */
        DONE,
        FOLDED,
        TWO_LENGTHS
    }

    private static final byte[] CONTENT_LENGTH = "content-length:".getBytes(StandardCharsets.US_ASCII);

    private State state = State.BEFORE_REQUEST;
    /** Bytes after the buffer's reader index already scanned. */
    private int scanned;
    /** How much of the current line matches {@link #CONTENT_LENGTH}, case-insensitively; -1 once it cannot. */
    private int matched = -1;
    private boolean contentLengthSeen;

    /** Starts over at the first byte of the next request; the reader index must be there. */
    void nextRequest() {
        state = State.BEFORE_REQUEST;
        scanned = 0;
        matched = -1;
        contentLengthSeen = false;
    }

    /**
     * Scans the bytes of {@code in} not seen yet, up to the end of the header section.
     *
     * @return {@code true} when the header section must be refused: see {@link #problem()}
     */
    boolean scan(ByteBuf in) {
        int from = in.readerIndex() + scanned;
        int length = in.writerIndex() - from;
        if (length > 0 && state != State.DONE && !refused()) {
            int stop = in.forEachByte(from, length, this);
            scanned += stop < 0 ? length : stop - from + 1;
        }
        return refused();
    }

    /** Why the header section is refused, once {@link #scan} said so. */
    String problem() {
        return state == State.FOLDED ? "obs-fold: a header line starts with whitespace"
                : "more than one Content-Length line";
    }

    private boolean refused() {
        return state == State.FOLDED || state == State.TWO_LENGTHS;
    }

    /** The decoder consumed {@code bytes} from the reader index, which moved past them. */
    void consumed(int bytes) {
        scanned = Math.max(0, scanned - bytes);
    }

    /** Whether a byte of the request line has been seen. */
    boolean hasStarted() {
        return state != State.BEFORE_REQUEST;
    }

    @Override
    public boolean process(byte b) {
        switch (state) {
            case BEFORE_REQUEST -> {
                // The same bytes Netty skips before a request line: controls and spaces.
                if ((b & 0xFF) > ' ' && b != 0x7F) {
                    state = State.IN_LINE;
                }
            }
            case IN_LINE -> {
                if (b == '\n') {
                    state = State.LINE_START;
                } else if (matched >= 0) {
                    matchContentLength(b);
                }
            }
            case LINE_START -> {
                state = switch (b) {
                    case ' ', '\t' -> State.FOLDED;
                    case '\r' -> State.EMPTY_LINE;
                    case '\n' -> State.DONE;
                    default -> State.IN_LINE;
                };
                matched = 0;
                matchContentLength(b);
            }
            case EMPTY_LINE -> state = b == '\n' ? State.DONE : State.IN_LINE;
            default -> throw new IllegalStateException("scanned past the header section");
        }
        return state != State.DONE && !refused();
    }

    private void matchContentLength(byte b) {
        byte lower = b >= 'A' && b <= 'Z' ? (byte) (b + ('a' - 'A')) : b;
        if (lower != CONTENT_LENGTH[matched]) {
            matched = -1;
        } else if (++matched == CONTENT_LENGTH.length) {
            matched = -1;
            if (contentLengthSeen) {
                state = State.TWO_LENGTHS;
            }
            contentLengthSeen = true;
        }
    }
}
