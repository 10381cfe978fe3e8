package dev.mapgate.origin;

import dev.mapgate.wire.MalformedResponseException;
import dev.mapgate.wire.ResponseHead;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ByteProcessor;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the origin's responses: each head into a {@code DefaultHttpResponse} whose headers are
 * the received bytes ({@link dev.mapgate.wire.RawHeaders}), then the body as slices of what was
 * read, ending in a {@code LastHttpContent}, the same messages Netty's decoder gives, without a
 * String or AsciiString per header. A 1xx head is followed by an empty end, as in Netty.
 *
 * <p>What the origin sends that breaks the grammar or the framing ({@link ResponseHead} says which)
 * ends the connection's usefulness: one message with a failed decoder result is passed on (a
 * head if none was passed yet for this response, else an end) and everything after it is dropped.
 * {@link ProxyHandler} answers the client 502 or cuts it off, as for any broken origin.
 *
 * <p>Chunked bodies are de-chunked here and re-chunked by the client's encoder; their trailer
 * fields are checked and dropped (RFC 9112 section 7.1.2 lets a recipient that removes the
 * chunked coding discard them), so nothing the origin puts there reaches a client.
 */
final class OriginResponseDecoder extends ByteToMessageDecoder {

    private static final Logger LOG = LoggerFactory.getLogger(OriginResponseDecoder.class);

    /** The status line and header section together; Netty's defaults were 4 KiB and 8 KiB. */
    static final int MAX_HEAD = 12 * 1024;
    /** A chunk-size line with its extensions. */
    private static final int MAX_CHUNK_LINE = 4096;
    /**
     * A body part is a slice of what one read brought in, never more than this. It is larger than
     * any one read (Netty's adaptive reads stop at 64 KiB), so one read is one part: a smaller
     * limit would cut every read into several messages, each passed on and written on its own.
     */
    static final int MAX_BODY_PART = 1 << 20;

    /** UNASKED: bytes came when no answer was awaited; BROKEN: nothing more is read from this connection. */
    private enum State { HEAD, FIXED, CHUNK_SIZE, CHUNK_DATA, CHUNK_END, TRAILERS, UNTIL_CLOSE, UNASKED, BROKEN }

    private State state = State.HEAD;
    /** Whether the request being answered is a HEAD; set by the request encoder as it writes each request. */
    private boolean answersHead;
    /**
     * A request was written and its final answer has not ended yet. Bytes that come when none is
     * awaited were sent unasked: past the end of the last answer, or before the first request.
     */
    private boolean awaitingAnswer;
    /** Bytes of the current trailer section so far. */
    private int trailerBytes;
    /** Body bytes still to come in the current FIXED body or chunk. */
    private long remaining;
    private final LineEnd lineEnd = new LineEnd();

    void expectAnswerTo(HttpMethod method) {
        answersHead = HttpMethod.HEAD.equals(method);
        awaitingAnswer = true;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            while (in.isReadable() && step(in, out)) {
                // Each step consumes some bytes or reports that it needs more.
            }
        } catch (MalformedResponseException e) {
            fail(in, out, e);
            return;
        }
        if (state == State.UNASKED) {
            unasked(ctx, in);
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        super.decodeLast(ctx, in, out);
        if (state == State.UNTIL_CLOSE) {
            // The close is this body's end. Any other state means the response was cut short,
            // which ProxyHandler learns from the connection closing.
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
            state = State.HEAD;
            awaitingAnswer = false;
        }
    }

    /** @return whether to go on with what is left of {@code in} */
    private boolean step(ByteBuf in, List<Object> out) throws MalformedResponseException {
        switch (state) {
            case HEAD:
                return head(in, out);
            case FIXED:
            case CHUNK_DATA:
                return data(in, out);
            case UNTIL_CLOSE:
                out.add(new DefaultHttpContent(in.readRetainedSlice(Math.min(in.readableBytes(), MAX_BODY_PART))));
                return true;
            case CHUNK_SIZE:
                return chunkSize(in);
            case CHUNK_END:
                return chunkEnd(in);
            case TRAILERS:
                return trailers(in, out);
            default:
                in.skipBytes(in.readableBytes());
                return false;
        }
    }

    private boolean head(ByteBuf in, List<Object> out) throws MalformedResponseException {
        if (lineEnd.scanned == 0) {
            // Empty lines before a status line, which some servers leave after a body, are skipped.
            while (in.isReadable() && (in.getByte(in.readerIndex()) == '\r' || in.getByte(in.readerIndex()) == '\n')) {
                in.skipBytes(1);
            }
        }
        if (!awaitingAnswer) {
            if (in.isReadable()) {
                state = State.UNASKED;
            }
            return false;
        }
        int end = lineEnd.findEmptyLine(in, MAX_HEAD);
        if (end < 0) {
            if (in.readableBytes() >= MAX_HEAD) {
                throw new MalformedResponseException("a response head longer than " + MAX_HEAD + " bytes");
            }
            return false;
        }
        int length = end - in.readerIndex();
        byte[] bytes = new byte[length];
        in.readBytes(bytes);
        lineEnd.reset();
        ResponseHead head = ResponseHead.parse(bytes, length);
        ResponseHead.Body body = head.body(answersHead);
        out.add(new DefaultHttpResponse(head.version(), head.status(), head.headers()));
        // A 1xx is followed by the final answer to the same request.
        boolean interim = head.status().codeClass() == HttpStatusClass.INFORMATIONAL;
        switch (body) {
            case NONE:
                out.add(LastHttpContent.EMPTY_LAST_CONTENT);
                awaitingAnswer = interim;
                break;
            case LENGTH:
                if (head.contentLength() == 0) {
                    out.add(LastHttpContent.EMPTY_LAST_CONTENT);
                    awaitingAnswer = false;
                } else {
                    remaining = head.contentLength();
                    state = State.FIXED;
                }
                break;
            case CHUNKED:
                state = State.CHUNK_SIZE;
                trailerBytes = 0;
                break;
            default:
                state = State.UNTIL_CLOSE;
        }
        return true;
    }

    private boolean data(ByteBuf in, List<Object> out) {
        int n = (int) Math.min(Math.min(in.readableBytes(), remaining), MAX_BODY_PART);
        ByteBuf part = in.readRetainedSlice(n);
        remaining -= n;
        if (remaining > 0) {
            out.add(new DefaultHttpContent(part));
        } else if (state == State.FIXED) {
            out.add(new DefaultLastHttpContent(part));
            state = State.HEAD;
            awaitingAnswer = false;
        } else {
            out.add(new DefaultHttpContent(part));
            state = State.CHUNK_END;
        }
        return true;
    }

    /** {@code chunk-size [ chunk-ext ] CRLF}: 1 to 15 hex digits, and extensions that are ignored. */
    private boolean chunkSize(ByteBuf in) throws MalformedResponseException {
        int end = nextLine(in, MAX_CHUNK_LINE, "a chunk-size line");
        if (end < 0) {
            return false;
        }
        int i = in.readerIndex();
        int stop = end > i && in.getByte(end - 1) == '\r' ? end - 1 : end;
        long size = 0;
        int digits = 0;
        for (; i < stop; i++, digits++) {
            int d = Character.digit(in.getByte(i), 16);
            if (d < 0) {
                break;
            }
            if (digits == 15) {
                throw new MalformedResponseException("a chunk size of more than 15 hex digits");
            }
            size = size << 4 | d;
        }
        if (digits == 0) {
            throw new MalformedResponseException("a chunk-size line without a hex size");
        }
        while (i < stop && (in.getByte(i) == ' ' || in.getByte(i) == '\t')) {
            i++;
        }
        if (i < stop && in.getByte(i) != ';') {
            throw new MalformedResponseException("something other than an extension after a chunk size");
        }
        for (; i < stop; i++) {
            byte c = in.getByte(i);
            if (c != '\t' && c >= 0 && (c < 0x20 || c == 0x7f)) {
                throw new MalformedResponseException("a control byte in a chunk extension");
            }
        }
        skipLine(in, end);
        if (size == 0) {
            state = State.TRAILERS;
        } else {
            remaining = size;
            state = State.CHUNK_DATA;
        }
        return true;
    }

    private boolean chunkEnd(ByteBuf in) throws MalformedResponseException {
        int r = in.readerIndex();
        byte c = in.getByte(r);
        if (c == '\n') {
            in.skipBytes(1);
        } else if (c == '\r') {
            if (in.readableBytes() < 2) {
                return false;
            }
            if (in.getByte(r + 1) != '\n') {
                throw new MalformedResponseException("a CR that does not end a line after chunk data");
            }
            in.skipBytes(2);
        } else {
            throw new MalformedResponseException("chunk data longer than its size");
        }
        state = State.CHUNK_SIZE;
        return true;
    }

    /** Trailer fields until an empty line: checked, then dropped. */
    private boolean trailers(ByteBuf in, List<Object> out) throws MalformedResponseException {
        int end = nextLine(in, MAX_HEAD, "a trailer line");
        if (end < 0) {
            return false;
        }
        int start = in.readerIndex();
        int contentEnd = end > start && in.getByte(end - 1) == '\r' ? end - 1 : end;
        if (contentEnd == start) {
            skipLine(in, end);
            out.add(LastHttpContent.EMPTY_LAST_CONTENT);
            state = State.HEAD;
            awaitingAnswer = false;
            return true;
        }
        trailerBytes += end + 1 - start;
        if (trailerBytes > MAX_HEAD) {
            throw new MalformedResponseException("a trailer section longer than " + MAX_HEAD + " bytes");
        }
        byte first = in.getByte(start);
        if (first == ' ' || first == '\t' || first == ':') {
            throw new MalformedResponseException("a trailer line without a name, or folded");
        }
        for (int i = start; i < contentEnd; i++) {
            byte c = in.getByte(i);
            if (c != '\t' && c >= 0 && (c < 0x20 || c == 0x7f)) {
                throw new MalformedResponseException("a control byte in a trailer line");
            }
        }
        skipLine(in, end);
        return true;
    }

    /** The index of the LF that ends the next line, or -1 while it has not all arrived. */
    private int nextLine(ByteBuf in, int limit, String what) throws MalformedResponseException {
        int end = lineEnd.findLineEnd(in, limit);
        if (end < 0 && in.readableBytes() >= limit) {
            throw new MalformedResponseException(what + " longer than " + limit + " bytes");
        }
        return end;
    }

    /** Moves past a line whose LF is at {@code lf}, its content already checked. */
    private void skipLine(ByteBuf in, int lf) {
        in.readerIndex(lf + 1);
        lineEnd.reset();
    }

    /**
     * Bytes nobody asked for: past the end of the answer, in the same read, or before any request.
     * The answer before them is passed on whole, but the connection is closed at once: were it
     * lent again (the pool hands a returned connection straight to a client waiting for one),
     * they would be read as that client's answer, and every answer after them would go one
     * client too far. Its close reaches the pool before the answer's end reaches its borrower,
     * so the pool never lends it.
     */
    private void unasked(ChannelHandlerContext ctx, ByteBuf in) {
        LOG.debug("event=origin-unasked-bytes origin={} bytes={}", ctx.channel().remoteAddress(), in.readableBytes());
        in.skipBytes(in.readableBytes());
        state = State.BROKEN;
        ctx.close();
    }

    private void fail(ByteBuf in, List<Object> out, MalformedResponseException cause) {
        DecoderResult failure = DecoderResult.failure(cause);
        if (state == State.HEAD) {
            DefaultHttpResponse broken = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_GATEWAY);
            broken.setDecoderResult(failure);
            out.add(broken);
        } else {
            LastHttpContent broken = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
            broken.setDecoderResult(failure);
            out.add(broken);
        }
        state = State.BROKEN;
        in.skipBytes(in.readableBytes());
    }

    /**
     * Finds line ends in the bytes after the reader index, remembering how far it has looked so
     * that bytes handed back by the decoder on the next read are not looked at again.
     */
    private static final class LineEnd implements ByteProcessor {
        /** Bytes after the reader index already looked at. */
        int scanned;
        /** Bytes other than CR in the current line. */
        private int lineLength;
        private boolean stopAtEmptyLine;

        void reset() {
            scanned = 0;
            lineLength = 0;
        }

        /** The index just after the LF that ends an empty line, or -1 if none is in the first {@code limit} bytes. */
        int findEmptyLine(ByteBuf in, int limit) {
            stopAtEmptyLine = true;
            int lf = find(in, limit);
            return lf < 0 ? -1 : lf + 1;
        }

        /** The index of the next LF, or -1 if none is in the first {@code limit} bytes. */
        int findLineEnd(ByteBuf in, int limit) {
            stopAtEmptyLine = false;
            return find(in, limit);
        }

        private int find(ByteBuf in, int limit) {
            int length = Math.min(in.readableBytes(), limit) - scanned;
            if (length <= 0) {
                return -1;
            }
            int at = in.forEachByte(in.readerIndex() + scanned, length, this);
            if (at < 0) {
                scanned += length;
                return -1;
            }
            return at;
        }

        @Override
        public boolean process(byte value) {
            if (value == '\n') {
                boolean end = !stopAtEmptyLine || lineLength == 0;
                lineLength = 0;
                return !end;
            }
            if (value != '\r') {
                lineLength++;
            }
            return true;
        }
    }
}
