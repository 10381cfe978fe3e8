package dev.mapgate.server;

import dev.mapgate.exchange.ConnectionEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.Queue;

/**
 * Netty's request decoder with the leniencies that allow request smuggling taken out: exactly one
 * space between the parts of the request line, a version of exactly {@code HTTP/1.1} or {@code
 * HTTP/1.0}, a method of token characters only, no obs-fold, one {@code Content-Length} line at
 * most (also in HTTP/1.0), no {@code Content-Length} beside {@code Transfer-Encoding}, the {@link
 * FramingRules}, and a chunked body exactly as RFC 9112 writes it. A request that breaks one is
 * passed on marked as failed, and nothing the client sends after it is decoded: where that request
 * ended, and so where the next one starts, is exactly what cannot be trusted.
 *
 * <p>A broken head becomes a failed request. A broken chunked body becomes a failed {@link
 * LastHttpContent}, as Netty makes of a chunk size it cannot read: the head has been passed on by
 * then, and perhaps some chunks.
 *
 * <p>Fires {@link ConnectionEvent#REQUEST_STARTED} when the first byte of a request's line
 * arrives, for the header clock.
 */
final class StrictRequestDecoder extends HttpRequestDecoder {

    private final FramingRules rules;
    private final Queue<HttpMethod> methods;
    private final HeaderSectionScanner head = new HeaderSectionScanner();
    private final ChunkedBodyScanner chunks = new ChunkedBodyScanner();
    /** A chunked request has been passed on and its end not yet: the bytes are its body's. */
    private boolean inChunkedBody;
    private boolean rejected;

    // Where the previous word of the request line being split ended, and whether it had a version.
    private int wordEnd;
    private boolean versionSeen;

    /** @param methods receives the method of every request passed on, in order, for the encoder */
    StrictRequestDecoder(HttpDecoderConfig config, FramingRules rules, Queue<HttpMethod> methods) {
        super(config);
        this.rules = rules;
        this.methods = methods;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (rejected) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int first = out.size();
        // The scanners look ahead of Netty: what they refuse, Netty has not decoded yet.
        HttpObject refused = inChunkedBody ? scanChunks(in) : scanHead(ctx, in);
        if (refused != null) {
            out.add(refused);
        } else {
            int readerIndex = in.readerIndex();
            super.decode(ctx, in, out);
            int consumed = in.readerIndex() - readerIndex;
            // Before vet(), which may move on to the body or to the next request.
            if (inChunkedBody) {
                chunks.consumed(consumed);
            } else {
                head.consumed(consumed);
            }
        }
        vet(out, first);
        if (rejected) {
            in.skipBytes(in.readableBytes());
        }
    }

    /** @return a failed request when the head holds an obs-fold line or two Content-Lengths, else {@code null} */
    private HttpObject scanHead(ChannelHandlerContext ctx, ByteBuf in) {
        boolean started = head.hasStarted();
        boolean refused = head.scan(in);
        if (!started && head.hasStarted()) {
            ctx.fireUserEventTriggered(ConnectionEvent.REQUEST_STARTED);
        }
        if (!refused) {
            return null;
        }
        HttpMessage invalid = createInvalidMessage();
        invalid.setDecoderResult(DecoderResult.failure(new IllegalArgumentException(head.problem())));
        return invalid;
    }

    /** @return a failed end of the body when its chunked framing is broken, else {@code null} */
    private HttpObject scanChunks(ByteBuf in) {
        String problem = chunks.scan(in);
        if (problem == null) {
            return null;
        }
        // The same end Netty gives a chunk it cannot parse, so every broken body is handled alike.
        LastHttpContent broken = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
        broken.setDecoderResult(DecoderResult.failure(new IllegalArgumentException(problem)));
        return broken;
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (rejected) {
            in.skipBytes(in.readableBytes());
            return;
        }
        int first = out.size();
        super.decodeLast(ctx, in, out);
        if (rejected) {
            // Netty may add its own "closed before the headers" failure after ours.
            dropAfterFirstFailure(out, first);
        }
    }

    /**
     * For what one call decoded: records each request's method for the encoder, applies the
     * framing rules, hands the bytes after a chunked head to the chunk scanner and those after the
     * end of a request back to the head scanner, and drops everything after the first failure.
     */
    private void vet(List<Object> out, int first) {
        for (int i = first; i < out.size(); i++) {
            Object msg = out.get(i);
            if (msg instanceof HttpRequest request) {
                methods.add(request.method());
                if (request.decoderResult().isSuccess()) {
                    Exception problem = rules.check(request.method(), request.protocolVersion(), request.headers());
                    if (problem != null) {
                        request.setDecoderResult(DecoderResult.failure(problem));
                    } else if (HttpUtil.isTransferEncodingChunked(request)) {
                        // Netty returns after a head, so the reader index is at the body's first byte.
                        inChunkedBody = true;
                        chunks.start();
                    }
                }
            }
            if (msg instanceof HttpObject object && object.decoderResult().isFailure()) {
                rejected = true;
                releaseFrom(out, i + 1);
                return;
            }
            if (msg instanceof LastHttpContent) {
                inChunkedBody = false;
                head.nextRequest();
            }
        }
    }

    private static void dropAfterFirstFailure(List<Object> out, int first) {
        for (int i = first; i < out.size(); i++) {
            if (out.get(i) instanceof HttpObject object && object.decoderResult().isFailure()) {
                releaseFrom(out, i + 1);
                return;
            }
        }
    }

    private static void releaseFrom(List<Object> out, int index) {
        while (out.size() > index) {
            ReferenceCountUtil.release(out.remove(out.size() - 1));
        }
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        // Netty would drop Content-Length and go on; a server that trusts it instead would see a
        // different request boundary. Thrown here, this makes Netty produce a failed request.
        throw new IllegalArgumentException("Content-Length together with Transfer-Encoding");
    }

    // Netty splits the request line leniently (any run of spaces, tabs, CRs), then hands each word
    // to these hooks in order, with the same array: the gaps between the words show what it skipped.

    @Override
    protected String splitFirstWordInitialLine(byte[] line, int start, int length) {
        versionSeen = false;
        wordEnd = start + length;
        for (int i = start; i < start + length; i++) {
            if (!isTokenChar(line[i])) {
                // HttpMethod trims control bytes off the ends, so "GET\u0012" would be a GET.
                throw new IllegalArgumentException("method is not a token");
            }
        }
        return super.splitFirstWordInitialLine(line, start, length);
    }

    @Override
    protected String splitSecondWordInitialLine(byte[] line, int start, int length) {
        requireOneSpaceBefore(line, start);
        wordEnd = start + length;
        return super.splitSecondWordInitialLine(line, start, length);
    }

    @Override
    protected String splitThirdWordInitialLine(byte[] line, int start, int length) {
        requireOneSpaceBefore(line, start);
        if (!isVersion(line, start, length, '1') && !isVersion(line, start, length, '0')) {
            // Netty would upper-case "http/1.1" and take "HTTP/1.2" or "HTTP/2.0" as HTTP/1.x.
            throw new IllegalArgumentException("HTTP version must be exactly HTTP/1.1 or HTTP/1.0");
        }
        versionSeen = true;
        return super.splitThirdWordInitialLine(line, start, length);
    }

    @Override
    protected HttpMessage createMessage(String[] initialLine) throws Exception {
        if (!versionSeen) {
            throw new IllegalArgumentException("request line without an HTTP version");
        }
        return super.createMessage(initialLine);
    }

    private void requireOneSpaceBefore(byte[] line, int start) {
        if (start != wordEnd + 1 || line[wordEnd] != ' ') {
            throw new IllegalArgumentException("request line parts must be separated by exactly one space");
        }
    }

    /** RFC 9110 section 5.6.2: tchar. */
    private static boolean isTokenChar(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                || (b > ' ' && b < 0x7f && "!#$%&'*+-.^_`|~".indexOf(b) >= 0);
    }

    private static boolean isVersion(byte[] line, int start, int length, char minor) {
        String expected = "HTTP/1." + minor;
        if (length != expected.length()) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (line[start + i] != expected.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
