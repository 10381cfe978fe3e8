package dev.mapgate.server;

import dev.mapgate.gate.Decision;
import dev.mapgate.gate.Route;
import dev.mapgate.guard.PrefixDecoder;
import dev.mapgate.guard.SourceMapSniffer;
import dev.mapgate.guard.SourceMapSniffer.Verdict;
import dev.mapgate.origin.PeekableFileRegion;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The content guard ({@code gate.content-guard}): a source map is recognised by what it is, not
 * only by its name. The head of each response on an ungated path is held until the start of its
 * body shows what it is ({@link SourceMapSniffer}, through {@link PrefixDecoder} for an encoded
 * body). JavaScript, CSS and HTML are told apart at their first byte and go on at once; a map is
 * never sent: its head and body are dropped, the origin side is told to stop ({@link
 * ConnectionEvent#RESPONSE_REFUSED}), and the gate's uniform denial goes out in its place.
 *
 * <p>Sits between the gate and the origin handler, so it sees the origin side's writes before
 * {@link GatedResponseHeaders} and {@link ExchangeHandler} do; the denial it writes passes them
 * like any other. Every held message is either written, in order and with its own promise, or
 * released; nothing outlives the connection.
 */
final class ContentGuard extends ChannelDuplexHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ContentGuard.class);

    /** Encoded bytes held at most while their decoded start is undecided; past it the body goes on. */
    static final int MAX_HELD_ENCODED = 128 * 1024;
    /** Decoded bytes made at first from an encoded body; they settle all but a map-like JSON. */
    private static final int FIRST_DECODE = 512;
    /** Bytes of a static file read at first; most files are decided by them. */
    private static final int FIRST_PEEK = 4096;

    private enum State {
        /** No response held: responses that need no check, and the rest of a checked one, go through. */
        PASSING,
        /** A response's head, and what followed it, are held until its start is decided. */
        SNIFFING,
        /** The response was a map: what is left of it is dropped, and its end answered with the denial. */
        REFUSING
    }

    private record Held(Object msg, ChannelPromise promise) {
    }

    private State state = State.PASSING;
    private final ArrayDeque<Held> held = new ArrayDeque<>(4);
    private boolean flushWanted;
    /** The response's codings, empty for identity; then the sniffer reads the bytes as they come. */
    private List<String> codings;
    private SourceMapSniffer sniffer;
    /** For an encoded body: its start so far, decoded afresh as more arrives. */
    private byte[] encoded;
    private int encodedLength;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        switch (state) {
            case PASSING -> {
                if (msg instanceof HttpResponse response && shouldCheck(ctx, response)) {
                    state = State.SNIFFING;
                    hold(ctx, msg, promise);
                } else {
                    ctx.write(msg, promise);
                }
            }
            case SNIFFING -> hold(ctx, msg, promise);
            case REFUSING -> drop(ctx, msg, promise);
            default -> throw new IllegalStateException(state.name());
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (state == State.SNIFFING) {
            // Nothing of the held response may leave yet; the flush is done when it is released.
            flushWanted = true;
            return;
        }
        ctx.flush();
    }

    /**
     * Only a response that could carry a map's bytes past the gate: on an ungated path, allowed,
     * with a body the guard can read. A HEAD response has no body to look at.
     */
    private boolean shouldCheck(ChannelHandlerContext ctx, HttpResponse response) {
        if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
            return false;
        }
        int status = response.status().code();
        if (status == 204 || status == 304) {
            return false;
        }
        Exchange exchange = Exchange.current(ctx.channel());
        if (exchange == null || exchange.rules() == null || !exchange.rules().gate().contentGuard()
                || HttpMethod.HEAD.equals(exchange.method())) {
            return false;
        }
        Decision decision = exchange.decision();
        if (decision == null || decision.route() != Route.PASS || !decision.allowed()) {
            return false;
        }
        String contentEncoding = response.headers().get(HttpHeaderNames.CONTENT_ENCODING);
        codings = contentEncoding == null ? List.of() : PrefixDecoder.codings(contentEncoding);
        if (!PrefixDecoder.canDecode(codings)) {
            // Neither Sentry nor a browser reads a coding outside br, deflate, gzip, zstd.
            return false;
        }
        sniffer = new SourceMapSniffer();
        encodedLength = 0;
        return true;
    }

    private void hold(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        held.add(new Held(msg, promise));
        boolean last = msg instanceof LastHttpContent;
        Verdict verdict = look(msg);
        if (verdict == Verdict.UNDECIDED && last) {
            verdict = codings.isEmpty() ? sniffer.end() : decodedVerdict(true);
        }
        if (verdict == Verdict.NOT_MAP) {
            release(ctx);
        } else if (verdict == Verdict.MAP) {
            refuse(ctx, last);
        }
    }

    /** What the body's start says once {@code msg} is added to it. */
    private Verdict look(Object msg) {
        if (msg instanceof HttpContent content) {
            return look(content.content());
        }
        if (msg instanceof PeekableFileRegion region) {
            try {
                Verdict verdict = look(region.peek(FIRST_PEEK));
                return verdict == Verdict.UNDECIDED && region.count() > FIRST_PEEK
                        ? look(Arrays.copyOfRange(region.peek(SourceMapSniffer.WINDOW), FIRST_PEEK,
                                (int) Math.min(region.count(), SourceMapSniffer.WINDOW)))
                        : verdict;
            } catch (IOException e) {
                // The send would fail the same way, and close the connection.
                return Verdict.NOT_MAP;
            }
        }
        // The head alone says nothing yet. Any other body type cannot be looked into.
        return msg instanceof HttpResponse ? Verdict.UNDECIDED : Verdict.NOT_MAP;
    }

    private Verdict look(ByteBuf bytes) {
        if (codings.isEmpty()) {
            for (int i = bytes.readerIndex(); i < bytes.writerIndex() && sniffer.verdict() == Verdict.UNDECIDED; i++) {
                sniffer.feed(bytes.getByte(i));
            }
            return sniffer.verdict();
        }
        byte[] copy = new byte[bytes.readableBytes()];
        bytes.getBytes(bytes.readerIndex(), copy);
        return look(copy);
    }

    private Verdict look(byte[] bytes) {
        if (codings.isEmpty()) {
            return sniffer.feed(bytes, 0, bytes.length);
        }
        if (encodedLength + bytes.length > MAX_HELD_ENCODED) {
            // Far more than any map's first keys take, even compressed: not worth holding further.
            return Verdict.NOT_MAP;
        }
        if (encoded == null || encoded.length < encodedLength + bytes.length) {
            encoded = Arrays.copyOf(encoded == null ? new byte[0] : encoded,
                    Math.max(encodedLength + bytes.length, 2 * encodedLength));
        }
        System.arraycopy(bytes, 0, encoded, encodedLength, bytes.length);
        encodedLength += bytes.length;
        return decodedVerdict(false);
    }

    /**
     * Decodes the start held so far and sniffs it from the beginning: first a few hundred bytes,
     * which settle a JavaScript, CSS or HTML body, and only for what may be a map up to the window.
     */
    private Verdict decodedVerdict(boolean ended) {
        byte[] held = Arrays.copyOf(encoded == null ? new byte[0] : encoded, encodedLength);
        Verdict verdict = Verdict.UNDECIDED;
        SourceMapSniffer fresh = null;
        for (int limit : new int[] {FIRST_DECODE, SourceMapSniffer.WINDOW}) {
            byte[] start = PrefixDecoder.decodeStart(codings, held, limit);
            if (start == null) {
                return Verdict.NOT_MAP;
            }
            fresh = new SourceMapSniffer();
            verdict = fresh.feed(start, 0, start.length);
            if (verdict != Verdict.UNDECIDED || start.length < limit) {
                break;
            }
        }
        return ended ? fresh.end() : verdict;
    }

    /** Not a map: everything held goes on, in order, with its own promise. */
    private void release(ChannelHandlerContext ctx) {
        state = State.PASSING;
        encoded = null;
        Held next;
        while ((next = held.poll()) != null) {
            ctx.write(next.msg(), next.promise());
        }
        if (flushWanted) {
            flushWanted = false;
            ctx.flush();
        }
    }

    /**
     * A map on an ungated path. Nothing of it leaves. When the response has ended the denial goes
     * out now; otherwise the origin side is told to stop and end it, and the denial answers that end.
     */
    private void refuse(ChannelHandlerContext ctx, boolean ended) {
        dropHeld();
        Exchange exchange = Exchange.current(ctx.channel());
        exchange.decision(Decision.refusedContent());
        LOG.warn("event=content-guard path={} problem=\"a source map on an ungated path; add its name to gate.paths\"",
                exchange.target() == null ? "-" : exchange.target().path());
        if (ended) {
            state = State.PASSING;
            deny(ctx);
        } else {
            state = State.REFUSING;
            ctx.fireUserEventTriggered(ConnectionEvent.RESPONSE_REFUSED);
        }
    }

    private void drop(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ReferenceCountUtil.release(msg);
        promise.trySuccess();
        if (msg instanceof LastHttpContent) {
            state = State.PASSING;
            deny(ctx);
        }
    }

    private static void deny(ChannelHandlerContext ctx) {
        Exchange exchange = Exchange.current(ctx.channel());
        ctx.writeAndFlush(Responses.denial(ctx.alloc(), exchange.rules().gate(), false));
    }

    /** The held messages were consumed here: released, and their writes reported done. */
    private void dropHeld() {
        encoded = null;
        flushWanted = false;
        Held next;
        while ((next = held.poll()) != null) {
            ReferenceCountUtil.release(next.msg());
            next.promise().trySuccess();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        failHeld(new IOException("connection closed while the content guard held the response"));
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        failHeld(new IOException("content guard removed"));
    }

    private void failHeld(Throwable cause) {
        state = State.PASSING;
        encoded = null;
        Held next;
        while ((next = held.poll()) != null) {
            ReferenceCountUtil.release(next.msg());
            next.promise().tryFailure(cause);
        }
    }
}
