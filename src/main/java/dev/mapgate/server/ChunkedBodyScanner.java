package dev.mapgate.server;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * Holds a chunked request body to the grammar of RFC 9112 section 7.1, from its first chunk-size
 * line to the empty line after its trailers, ahead of Netty's decoder. Netty is lenient exactly
 * where a proxy cannot afford it: it adds up the chunk size in an {@code int} that silently wraps
 * (17 hex digits can come out as a small size), skips whitespace before the size, and stops at
 * the first whitespace or {@code ';'} after it without looking at the rest of the line. Another
 * parser on the path, a CDN in front of mapgate or the origin behind it, that reads the same line
 * differently puts the end of the body elsewhere: bytes one of them takes for chunk data, the
 * other takes for a request of its own.
 *
 * <p>Accepted, and nothing else: {@code 1*HEXDIG} up to {@code 7FFFFFFF} (the most Netty can
 * hold), extensions {@code *( BWS ";" BWS name [ BWS "=" BWS ( token / quoted-string ) ] )}, CRLF;
 * the data and exactly CRLF; after the last chunk, field lines (no obs-fold) and CRLF.
 *
 * <p>Like {@link HeaderSectionScanner}, it remembers how far past the reader index it has looked,
 * so each byte is looked at once however often the decoder hands the same bytes back. Chunk data
 * is counted, not looked at.
 */
final class ChunkedBodyScanner implements ByteProcessor {

    /** Netty holds a chunk size in an {@code int}: 7FFFFFFF. */
    private static final int MAX_CHUNK_SIZE = Integer.MAX_VALUE;

    private enum State {
        SIZE_START("a hex digit"),
        SIZE("a hex digit, ';' or CRLF"),
        /** Whitespace after the size or an extension is only allowed before another ';'. */
        BEFORE_SEMICOLON("';'"),
        BEFORE_NAME("an extension name"),
        NAME("'=', ';' or CRLF"),
        AFTER_NAME("'=' or ';'"),
        BEFORE_VALUE("a token or a quoted string"),
        TOKEN_VALUE("';' or CRLF"),
        QUOTED_VALUE("a closing quote"),
        QUOTED_PAIR("an escaped character"),
        AFTER_QUOTED_VALUE("';' or CRLF"),
        /** A CR was seen; {@link #afterLineEnd} is where its LF leads. */
        LF("LF after CR"),
        /** Counted off in bulk by {@link #scan}, never passed to {@link #process}. */
        DATA("chunk data"),
        AFTER_DATA("CRLF after the chunk data"),
        FIELD_START("a trailer field name or CRLF"),
        FIELD_NAME("':' after the trailer field name"),
        FIELD_VALUE("a trailer field value and CRLF"),
        DONE("nothing: the body has ended"),
        BROKEN("nothing: the body is already broken");

        final String expected;

        State(String expected) {
            this.expected = expected;
        }
    }

    private State state = State.SIZE_START;
    private State afterLineEnd;
    private int chunkSize;
    private int dataLeft;
    private String problem;
    /** Bytes after the buffer's reader index already scanned. */
    private int scanned;

    /** Starts on a new chunked body; the buffer's reader index must be at its first byte. */
    void start() {
        state = State.SIZE_START;
        chunkSize = 0;
        problem = null;
        scanned = 0;
    }

    /**
     * Scans the bytes of {@code in} not seen yet, up to the end of the body.
     *
     * @return what is wrong with the body, or {@code null} while nothing is
     */
    String scan(ByteBuf in) {
        int at = in.readerIndex() + scanned;
        int end = in.writerIndex();
        while (at < end && state != State.DONE && state != State.BROKEN) {
            if (state == State.DATA) {
                int skipped = Math.min(dataLeft, end - at);
                at += skipped;
                dataLeft -= skipped;
                if (dataLeft == 0) {
                    state = State.AFTER_DATA;
                }
            } else {
                int stop = in.forEachByte(at, end - at, this);
                at = stop < 0 ? end : stop + 1;
            }
        }
        scanned = at - in.readerIndex();
        return problem;
    }

    /** The decoder consumed {@code bytes} from the reader index, which moved past them. */
    void consumed(int bytes) {
        scanned = Math.max(0, scanned - bytes);
    }

    @Override
    public boolean process(byte b) {
        State before = state;
        state = next(b);
        if (state == State.BROKEN && problem == null) {
            problem = "malformed chunked body: " + describe(b) + " where " + before.expected + " belongs";
        }
        return state != State.DATA && state != State.DONE && state != State.BROKEN;
    }

    private State next(byte b) {
        return switch (state) {
            case SIZE_START -> isHexDigit(b) ? addDigit(b) : State.BROKEN;
            case SIZE -> isHexDigit(b) ? addDigit(b) : endOfElement(b);
            case BEFORE_SEMICOLON -> isBlank(b) ? state : b == ';' ? State.BEFORE_NAME : State.BROKEN;
            case BEFORE_NAME -> isBlank(b) ? state : isTokenChar(b) ? State.NAME : State.BROKEN;
            case NAME -> isTokenChar(b) ? state : isBlank(b) ? State.AFTER_NAME : b == '=' ? State.BEFORE_VALUE
                    : endOfElement(b);
            case AFTER_NAME -> isBlank(b) ? state : b == '=' ? State.BEFORE_VALUE
                    : b == ';' ? State.BEFORE_NAME : State.BROKEN;
            case BEFORE_VALUE -> isBlank(b) ? state : isTokenChar(b) ? State.TOKEN_VALUE
                    : b == '"' ? State.QUOTED_VALUE : State.BROKEN;
            case TOKEN_VALUE -> isTokenChar(b) ? state : endOfElement(b);
            case QUOTED_VALUE -> b == '"' ? State.AFTER_QUOTED_VALUE : b == '\\' ? State.QUOTED_PAIR
                    : isQuotedText(b) ? state : State.BROKEN;
            case QUOTED_PAIR -> isBlank(b) || isFieldChar(b) ? State.QUOTED_VALUE : State.BROKEN;
            case AFTER_QUOTED_VALUE -> endOfElement(b);
            case LF -> b == '\n' ? lineEnded() : State.BROKEN;
            case AFTER_DATA -> b == '\r' ? expectLf(State.SIZE_START) : State.BROKEN;
            case FIELD_START -> b == '\r' ? expectLf(State.DONE) : isTokenChar(b) ? State.FIELD_NAME : State.BROKEN;
            case FIELD_NAME -> isTokenChar(b) ? state : b == ':' ? State.FIELD_VALUE : State.BROKEN;
            case FIELD_VALUE -> isBlank(b) || isFieldChar(b) ? state : b == '\r' ? expectLf(State.FIELD_START)
                    : State.BROKEN;
            case DATA, DONE, BROKEN -> throw new IllegalStateException("not a state that scans single bytes: " + state);
        };
    }

    /** What may follow the size, an extension name or an extension value. */
    private State endOfElement(byte b) {
        return switch (b) {
            case ' ', '\t' -> State.BEFORE_SEMICOLON;
            case ';' -> State.BEFORE_NAME;
            case '\r' -> expectLf(chunkSize == 0 ? State.FIELD_START : State.DATA);
            default -> State.BROKEN;
        };
    }

    private State addDigit(byte b) {
        int digit = Character.digit(b, 16);
        // Checked before multiplying: the overflow itself is what must never happen.
        if (chunkSize > (MAX_CHUNK_SIZE - digit) / 16) {
            problem = "malformed chunked body: chunk size over 7FFFFFFF";
            return State.BROKEN;
        }
        chunkSize = chunkSize * 16 + digit;
        return State.SIZE;
    }

    private State expectLf(State next) {
        afterLineEnd = next;
        return State.LF;
    }

    private State lineEnded() {
        if (afterLineEnd == State.DATA) {
            dataLeft = chunkSize;
        } else if (afterLineEnd == State.SIZE_START) {
            chunkSize = 0;
        }
        return afterLineEnd;
    }

    private static boolean isHexDigit(byte b) {
        return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F');
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t';
    }

    /** tchar of RFC 9110 section 5.6.2. */
    private static boolean isTokenChar(byte b) {
        return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')
                || "!#$%&'*+-.^_`|~".indexOf(b) >= 0;
    }

    /** A visible ASCII character or obs-text: what field values and escapes are made of. */
    private static boolean isFieldChar(byte b) {
        return (b > ' ' && b != 0x7F) || b < 0;
    }

    /** qdtext of RFC 9110 section 5.6.4: a field character other than the quote and the backslash. */
    private static boolean isQuotedText(byte b) {
        return isBlank(b) || (isFieldChar(b) && b != '"' && b != '\\');
    }

    private static String describe(byte b) {
        return b > ' ' && b < 0x7F ? "'" + (char) b + "'" : String.format("0x%02X", b & 0xFF);
    }
}
