package dev.mapgate.wire;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A response head read from the origin (RFC 9112 sections 4 and 5): the status line and the
 * header fields, kept as bytes in {@link RawHeaders}, and how the body that follows is framed
 * (section 6.3). Pure: the origin's decoder finds where the head ends and hands the bytes here.
 *
 * <p>It is strict where a lenient reading would let the origin and mapgate disagree about where
 * a message ends, or would pass something to the client that a lenient reading made up: a folded
 * line, whitespace before a colon, a control byte in a value, a second or unreadable
 * {@code Content-Length}, a {@code Transfer-Encoding} other than {@code chunked}, or both framing
 * headers at once. Lines may end in CRLF or a bare LF, as many servers send and Netty accepts; a
 * CR anywhere else is refused.
 */
public final class ResponseHead {

    /** How the body after a head is delimited (RFC 9112 section 6.3). */
    public enum Body {
        /** No body: a 1xx, 204 or 304, or the answer to a HEAD. */
        NONE,
        /** Exactly {@link #contentLength()} bytes. */
        LENGTH,
        /** Chunked transfer coding. */
        CHUNKED,
        /** Everything until the origin closes the connection, which can then not be reused. */
        UNTIL_CLOSE
    }

    private static final AsciiString CONTENT_LENGTH = AsciiString.cached("content-length");
    private static final AsciiString TRANSFER_ENCODING = AsciiString.cached("transfer-encoding");
    private static final AsciiString CHUNKED = AsciiString.cached("chunked");
    private static final int MAX_LENGTH_DIGITS = 18;

    private final HttpVersion version;
    private final HttpResponseStatus status;
    private final RawHeaders headers;
    private final long contentLength;
    private final boolean chunked;

    private ResponseHead(HttpVersion version, HttpResponseStatus status, RawHeaders headers, long contentLength,
                         boolean chunked) {
        this.version = version;
        this.status = status;
        this.headers = headers;
        this.contentLength = contentLength;
        this.chunked = chunked;
    }

    public HttpVersion version() {
        return version;
    }

    public HttpResponseStatus status() {
        return status;
    }

    public RawHeaders headers() {
        return headers;
    }

    /** The {@code Content-Length}, or -1 when there is none. */
    public long contentLength() {
        return contentLength;
    }

    /**
     * How the body is framed, given whether this answers a HEAD request (whose response has
     * framing headers but no body).
     *
     * @throws MalformedResponseException for a 101, since mapgate never asks the origin to switch protocols
     */
    public Body body(boolean answersHead) throws MalformedResponseException {
        int code = status.code();
        if (code == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
            throw new MalformedResponseException("101 Switching Protocols, but no upgrade was asked for");
        }
        if (answersHead || status.codeClass() == HttpStatusClass.INFORMATIONAL
                || code == HttpResponseStatus.NO_CONTENT.code() || code == HttpResponseStatus.NOT_MODIFIED.code()) {
            return Body.NONE;
        }
        if (chunked) {
            return Body.CHUNKED;
        }
        return contentLength >= 0 ? Body.LENGTH : Body.UNTIL_CLOSE;
    }

    /**
     * Reads a whole head: {@code bytes[0..length)} runs from the first byte of the status line to
     * the end of the empty line after the fields. The array is kept by the headers; the caller
     * must not change it afterwards.
     */
    public static ResponseHead parse(byte[] bytes, int length) throws MalformedResponseException {
        return new Parser(bytes, length).parse();
    }

    private static final class Parser {
        private final byte[] b;
        private final int length;
        private int pos;
        private int[] offsets = new int[4 * 16];
        private int fields;
        private long contentLength = -1;
        private boolean chunked;

        Parser(byte[] bytes, int length) {
            this.b = bytes;
            this.length = length;
        }

        ResponseHead parse() throws MalformedResponseException {
            HttpVersion version = version();
            HttpResponseStatus status = status();
            while (!atLineEnd()) {
                field();
            }
            lineEnd();
            if (pos != length) {
                throw new MalformedResponseException("bytes after the end of the header section");
            }
            if (chunked && contentLength >= 0) {
                // RFC 9112 section 6.3 lets Transfer-Encoding win, but a message with both is the
                // classic sign of two parsers disagreeing; nothing honest sends it.
                throw new MalformedResponseException("both Content-Length and Transfer-Encoding");
            }
            return new ResponseHead(version, status, new RawHeaders(b, offsets, fields), contentLength, chunked);
        }

        private HttpVersion version() throws MalformedResponseException {
            if (length - pos < 9 || b[0] != 'H' || b[1] != 'T' || b[2] != 'T' || b[3] != 'P' || b[4] != '/'
                    || b[5] != '1' || b[6] != '.' || (b[7] != '0' && b[7] != '1') || b[8] != ' ') {
                throw new MalformedResponseException("the status line does not start with HTTP/1.0 or HTTP/1.1 and a space");
            }
            pos = 9;
            return b[7] == '1' ? HttpVersion.HTTP_1_1 : HttpVersion.HTTP_1_0;
        }

        private HttpResponseStatus status() throws MalformedResponseException {
            if (length - pos < 3 || !isDigit(b[pos]) || !isDigit(b[pos + 1]) || !isDigit(b[pos + 2])) {
                throw new MalformedResponseException("the status code is not three digits");
            }
            int code = (b[pos] - '0') * 100 + (b[pos + 1] - '0') * 10 + (b[pos + 2] - '0');
            pos += 3;
            if (code < 100 || code > 599) {
                throw new MalformedResponseException("status code " + code + " is outside 100-599");
            }
            int reasonStart = pos;
            if (!atLineEnd()) {
                if (b[pos] != ' ') {
                    throw new MalformedResponseException("no space after the status code");
                }
                reasonStart = ++pos;
                while (!atLineEnd()) {
                    if (!isFieldByte(b[pos])) {
                        throw new MalformedResponseException("a control byte in the reason phrase");
                    }
                    pos++;
                }
            }
            int reasonEnd = pos;
            lineEnd();
            HttpResponseStatus known = HttpResponseStatus.valueOf(code);
            if (sameBytes(reasonStart, reasonEnd, known.reasonPhrase())) {
                return known;
            }
            return new HttpResponseStatus(code, new String(b, reasonStart, reasonEnd - reasonStart,
                    StandardCharsets.ISO_8859_1));
        }

        private void field() throws MalformedResponseException {
            int nameStart = pos;
            if (b[pos] == ' ' || b[pos] == '\t') {
                throw new MalformedResponseException("a folded header line (obs-fold)");
            }
            while (pos < length && isTokenByte(b[pos])) {
                pos++;
            }
            int nameEnd = pos;
            if (pos >= length || b[pos] != ':') {
                throw new MalformedResponseException(nameEnd == nameStart ? "a header line without a name"
                        : "a header name followed by something other than ':'");
            }
            if (nameEnd == nameStart) {
                throw new MalformedResponseException("a header line without a name");
            }
            pos++;
            while (pos < length && (b[pos] == ' ' || b[pos] == '\t')) {
                pos++;
            }
            int valueStart = pos;
            while (!atLineEnd()) {
                if (!isFieldByte(b[pos])) {
                    throw new MalformedResponseException("a control byte in a header value");
                }
                pos++;
            }
            int valueEnd = pos;
            while (valueEnd > valueStart && (b[valueEnd - 1] == ' ' || b[valueEnd - 1] == '\t')) {
                valueEnd--;
            }
            lineEnd();
            framing(nameStart, nameEnd, valueStart, valueEnd);
            if (4 * fields + 4 > offsets.length) {
                offsets = Arrays.copyOf(offsets, offsets.length * 2);
            }
            int o = 4 * fields++;
            offsets[o] = nameStart;
            offsets[o + 1] = nameEnd;
            offsets[o + 2] = valueStart;
            offsets[o + 3] = valueEnd;
        }

        private void framing(int nameStart, int nameEnd, int valueStart, int valueEnd) throws MalformedResponseException {
            if (sameBytesIgnoreCase(nameStart, nameEnd, CONTENT_LENGTH)) {
                if (contentLength >= 0) {
                    throw new MalformedResponseException("more than one Content-Length");
                }
                if (valueEnd == valueStart || valueEnd - valueStart > MAX_LENGTH_DIGITS) {
                    throw new MalformedResponseException("a Content-Length that is not 1 to 18 digits");
                }
                long value = 0;
                for (int i = valueStart; i < valueEnd; i++) {
                    if (!isDigit(b[i])) {
                        throw new MalformedResponseException("a Content-Length that is not 1 to 18 digits");
                    }
                    value = value * 10 + (b[i] - '0');
                }
                contentLength = value;
            } else if (sameBytesIgnoreCase(nameStart, nameEnd, TRANSFER_ENCODING)) {
                if (chunked) {
                    throw new MalformedResponseException("more than one Transfer-Encoding");
                }
                if (!sameBytesIgnoreCase(valueStart, valueEnd, CHUNKED)) {
                    // gzip or another coding under chunked would reach the client undecoded with
                    // its framing changed; no static asset host sends one.
                    throw new MalformedResponseException("a Transfer-Encoding other than chunked");
                }
                chunked = true;
            }
        }

        private boolean atLineEnd() throws MalformedResponseException {
            if (pos >= length) {
                throw new MalformedResponseException("the head ends inside a line");
            }
            return b[pos] == '\r' || b[pos] == '\n';
        }

        private void lineEnd() throws MalformedResponseException {
            if (b[pos] == '\r') {
                if (pos + 1 >= length || b[pos + 1] != '\n') {
                    throw new MalformedResponseException("a CR that does not end a line");
                }
                pos += 2;
            } else {
                pos++;
            }
        }

        private boolean sameBytes(int start, int end, String s) {
            if (end - start != s.length()) {
                return false;
            }
            for (int i = 0; i < s.length(); i++) {
                if ((b[start + i] & 0xff) != s.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        private boolean sameBytesIgnoreCase(int start, int end, AsciiString lowerCase) {
            if (end - start != lowerCase.length()) {
                return false;
            }
            for (int i = 0; i < lowerCase.length(); i++) {
                int c = b[start + i];
                if ((c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c) != lowerCase.byteAt(i)) {
                    return false;
                }
            }
            return true;
        }
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    /** A value or reason byte: HTAB, SP, visible ASCII or obs-text (RFC 9110 section 5.5). */
    private static boolean isFieldByte(byte c) {
        return c == '\t' || (c >= 0x20 && c != 0x7f) || c < 0;
    }

    /** tchar (RFC 9110 section 5.6.2). */
    private static boolean isTokenByte(byte c) {
        if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
            return true;
        }
        return switch (c) {
            case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~' -> true;
            default -> false;
        };
    }
}
