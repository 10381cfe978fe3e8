package dev.mapgate.server;

import dev.mapgate.config.GateSettings;
import dev.mapgate.gate.Site;
import dev.mapgate.exchange.AdmittedRequest;
import dev.mapgate.exchange.ConnectionEvent;
import dev.mapgate.exchange.Responses;
import dev.mapgate.gate.Route;
import dev.mapgate.guard.JsonSlice;
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
import io.netty.handler.codec.http.HttpRequest;
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

    /** Encoded bytes held at most while their decoded start is undecided; past it the body is refused. */
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

    /** What a response needs before anything of it may leave. */
    private enum Check {
        /** Nothing: not on an ungated path, or no body. */
        NONE,
        /** Its start must show it is no map. */
        SNIFF,
        /** A part from inside the file: binary bytes show it is no map; text could be one. */
        SLICE,
        /** It cannot be looked at (an unknown coding, several parts, an encoded part): refused unseen. */
        REFUSE
    }


    private State state = State.PASSING;
    /** The gate's verdict on the request being answered, from its AdmittedRequest; {@code null} for any other. */
    private dev.mapgate.exchange.Verdict admitted;
    private boolean headRequest;
    /** The rules whose denial replaces a refused response. */
    private GateSettings denyBy;
    /** The site of {@link #denyBy} whose denial it is: the one that judged the request. */
    private Site denyIn;
    /** The response is a 206 from byte 0: a body that ends undecided inside an object is refused. */
    private boolean partial;
    /** For {@link Check#SLICE}: the part's first bytes, up to {@link JsonSlice#SAMPLE}. */
    private byte[] slice;
    private int sliceLength;
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
                Check check = msg instanceof HttpResponse response ? check(ctx, response) : Check.NONE;
                if (check == Check.NONE) {
                    ctx.write(msg, promise);
                    return;
                }
                state = State.SNIFFING;
                if (check != Check.REFUSE) {
                    slice = check == Check.SLICE ? new byte[JsonSlice.SAMPLE] : null;
                    sliceLength = 0;
                    hold(ctx, msg, promise);
                } else {
                    held.add(new Held(msg, promise));
                    refuse(ctx, msg instanceof LastHttpContent, null);
                }
            }
            case SNIFFING -> {
                if (msg instanceof HttpResponse) {
                    // Another answer took the place of the held one (ExchangeHandler's 400 for a
                    // broken request body): the held response is dropped, never sent.
                    dropHeld();
                    state = State.PASSING;
                    write(ctx, msg, promise);
                    return;
                }
                hold(ctx, msg, promise);
            }
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
     * Only a response that could carry a map's bytes past the gate is checked: on an ungated
     * path, allowed, with a body. A HEAD response has none to look at. What the guard cannot read
     * is refused rather than let through: a coding it does not know, several parts, or an encoded
     * part from inside the file. A plain part from inside the file is looked at as a slice.
     */
    private Check check(ChannelHandlerContext ctx, HttpResponse response) {
        int status = response.status().code();
        if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL || status == 204 || status == 304
                || !isGuarded() || headRequest) {
            return Check.NONE;
        }
        List<String> encodings = response.headers().getAll(HttpHeaderNames.CONTENT_ENCODING);
        codings = encodings.isEmpty() ? List.of() : PrefixDecoder.codings(String.join(",", encodings));
        sniffer = new SourceMapSniffer();
        encodedLength = 0;
        partial = status == 206;
        if (!PrefixDecoder.canDecode(codings)) {
            return Check.REFUSE;
        }
        if (partial) {
            if (isMedia(response.headers().get(HttpHeaderNames.CONTENT_TYPE))) {
                return Check.NONE;
            }
            if (!startsAtFirstByte(response.headers().get(HttpHeaderNames.CONTENT_RANGE))) {
                // Bytes from inside the file do not start like a map even when they are one. A
                // single part that is not encoded can still show it is binary; several parts
                // (multipart/byteranges) or an encoded slice cannot be read, and are refused.
                boolean single = response.headers().contains(HttpHeaderNames.CONTENT_RANGE);
                return single && codings.isEmpty() ? Check.SLICE : Check.REFUSE;
            }
        }
        return Check.SNIFF;
    }

    /** The exchange in progress is on an ungated path, allowed, with the guard on. */
    private boolean isGuarded() {
        return admitted != null && admitted.rules().gate().contentGuard() && admitted.decision().route() == Route.PASS;
    }

    /** {@code bytes 0-...}: a single range from the first byte. */
    private static boolean startsAtFirstByte(String contentRange) {
        return contentRange != null && contentRange.strip().toLowerCase(java.util.Locale.ROOT).startsWith("bytes 0-");
    }

    /** Types a map is never served as, whose ranges (video seeking, resumed downloads) pass unseen. */
    private static boolean isMedia(String contentType) {
        if (contentType == null) {
            return false;
        }
        String type = contentType.strip().toLowerCase(java.util.Locale.ROOT);
        return type.startsWith("image/") || type.startsWith("video/") || type.startsWith("audio/")
                || type.startsWith("font/") || type.startsWith("application/wasm") || type.startsWith("application/pdf")
                || type.startsWith("application/zip");
    }

    /**
     * On an ungated path the origin is offered only the codings the guard reads, so it cannot
     * answer in one the guard would have to refuse unseen. A browser's usual offer (gzip,
     * deflate, br, zstd) is left as it is, without building a new one.
     */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            // Only the gate makes AdmittedRequests; anything else is answered without the origin.
            admitted = request instanceof AdmittedRequest a ? a.verdict() : null;
            headRequest = HttpMethod.HEAD.equals(request.method());
        }
        if (msg instanceof HttpRequest request && request.headers().contains(HttpHeaderNames.ACCEPT_ENCODING)
                && isGuarded()) {
            String offered = String.join(",", request.headers().getAll(HttpHeaderNames.ACCEPT_ENCODING));
            String kept = readableCodings(offered);
            if (kept.isEmpty()) {
                request.headers().remove(HttpHeaderNames.ACCEPT_ENCODING);
            } else if (!kept.equals(offered)) {
                request.headers().set(HttpHeaderNames.ACCEPT_ENCODING, kept);
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** {@code offered} itself when it names only codings the guard reads, else those parts of it. */
    static String readableCodings(String offered) {
        StringBuilder kept = null;
        int start = 0;
        for (String part : offered.split(",")) {
            int semicolon = part.indexOf(';');
            String coding = (semicolon < 0 ? part : part.substring(0, semicolon)).strip().toLowerCase(java.util.Locale.ROOT);
            boolean readable = PrefixDecoder.CODINGS.contains(coding) || coding.equals("identity");
            if (!readable && kept == null) {
                kept = new StringBuilder(offered.substring(0, Math.max(0, start - 1)).strip());
            } else if (readable && kept != null) {
                kept.append(kept.length() == 0 ? "" : ", ").append(part.strip());
            }
            start += part.length() + 1;
        }
        return kept == null ? offered : kept.toString();
    }

    private void hold(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        held.add(new Held(msg, promise));
        boolean last = msg instanceof LastHttpContent;
        Verdict verdict = look(msg);
        if (verdict == Verdict.UNDECIDED && last) {
            verdict = codings.isEmpty() ? endVerdict(sniffer) : decodedVerdict(true);
        }
        if (verdict == Verdict.NOT_MAP) {
            release(ctx);
        } else if (verdict == Verdict.MAP) {
            // A text part from inside a file is refused for what it could be, not for what it was
            // seen to be, and any client can ask for one: no WARN for it.
            refuse(ctx, last, slice != null ? null : "a source map (or a body whose start could not be read) on an"
                    + " ungated path; add its name to gate.paths");
        }
    }

    /** What the body's start says once {@code msg} is added to it. */
    private Verdict look(Object msg) {
        if (slice != null) {
            return lookAtSlice(msg);
        }
        if (msg instanceof HttpContent content) {
            return look(content.content());
        }
        if (msg instanceof PeekableFileRegion region) {
            try {
                Verdict verdict = look(region.peek(FIRST_PEEK));
                if (verdict == Verdict.UNDECIDED && region.count() > FIRST_PEEK) {
                    byte[] more = region.peek(SourceMapSniffer.WINDOW);
                    // The file may have shrunk since it was opened: only what was read counts.
                    verdict = more.length > FIRST_PEEK ? look(Arrays.copyOfRange(more, FIRST_PEEK, more.length)) : verdict;
                }
                return verdict;
            } catch (IOException e) {
                // The send would fail the same way, and close the connection.
                return Verdict.NOT_MAP;
            }
        }
        // The head alone says nothing yet. Any other body type cannot be looked into.
        return msg instanceof HttpResponse ? Verdict.UNDECIDED : Verdict.NOT_MAP;
    }

    /**
     * A part from inside the file: binary is no map, text could be one. Decided once the sample
     * is full, or at the part's end.
     */
    private Verdict lookAtSlice(Object msg) {
        if (msg instanceof HttpContent content) {
            ByteBuf bytes = content.content();
            int n = Math.min(bytes.readableBytes(), slice.length - sliceLength);
            bytes.getBytes(bytes.readerIndex(), slice, sliceLength, n);
            sliceLength += n;
        } else if (msg instanceof PeekableFileRegion region) {
            try {
                byte[] start = region.peek(slice.length - sliceLength);
                System.arraycopy(start, 0, slice, sliceLength, start.length);
                sliceLength += start.length;
            } catch (IOException e) {
                return Verdict.NOT_MAP;
            }
        } else if (!(msg instanceof HttpResponse)) {
            return Verdict.MAP;
        }
        if (!JsonSlice.couldBeMapText(slice, sliceLength)) {
            return Verdict.NOT_MAP;
        }
        return sliceLength == slice.length || msg instanceof LastHttpContent ? Verdict.MAP : Verdict.UNDECIDED;
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

    /**
     * The verdict for a body that ended undecided: no map, unless it was only part of the file and
     * stopped inside an object that could still have become one.
     */
    private Verdict endVerdict(SourceMapSniffer ended) {
        boolean couldBeMap = ended.couldBeMap();
        Verdict verdict = ended.end();
        return partial && couldBeMap ? Verdict.MAP : verdict;
    }

    private Verdict look(byte[] bytes) {
        if (codings.isEmpty()) {
            return sniffer.feed(bytes, 0, bytes.length);
        }
        if (encodedLength + bytes.length > MAX_HELD_ENCODED) {
            // Far more than any map's first keys take, even compressed, and still undecided: the
            // start could not be decoded (a decoder that needs whole blocks). Refused, not guessed.
            return Verdict.MAP;
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
        byte[] start = new byte[0];
        for (int limit : new int[] {FIRST_DECODE, SourceMapSniffer.WINDOW}) {
            start = PrefixDecoder.decodeStart(codings, held, limit);
            if (start == null) {
                return Verdict.MAP;
            }
            fresh = new SourceMapSniffer();
            verdict = fresh.feed(start, 0, start.length);
            if (verdict != Verdict.UNDECIDED || start.length < limit) {
                break;
            }
        }
        if (!ended) {
            return verdict;
        }
        if (start.length == 0 && encodedLength > 0) {
            // A body that does not decode as it says it is encoded: a client may still read it
            // raw (curl does), so it is refused rather than passed unseen.
            return Verdict.MAP;
        }
        return endVerdict(fresh);
    }

    /** Not a map: everything held goes on, in order, with its own promise. */
    private void release(ChannelHandlerContext ctx) {
        state = State.PASSING;
        encoded = null;
        slice = null;
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
     *
     * @param problem what the operator should know, logged as a WARN; {@code null} for a response
     *                refused unseen (a range from inside a file, a coding the guard cannot read),
     *                which a client can cause at will: logged at DEBUG, and in the access log
     */
    private void refuse(ChannelHandlerContext ctx, boolean ended, String problem) {
        dropHeld();
        Exchange.current(ctx.channel()).contentRefused();
        denyBy = admitted.rules().gate();
        denyIn = denyBy.site(admitted.decision().site());
        String path = admitted.target().path();
        if (problem != null) {
            LOG.warn("event=content-guard path={} problem=\"{}\"", path, problem);
        } else {
            LOG.debug("event=content-guard path={} problem=\"a response the guard cannot read: a text part from inside"
                    + " the file, several parts, or an unknown coding\"", path);
        }
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

    private void deny(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(Responses.denial(ctx.alloc(), denyBy, denyIn, false));
    }

    /** The held messages were consumed here: released, and their writes reported done. */
    private void dropHeld() {
        discardHeld(null);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        state = State.PASSING;
        discardHeld(new IOException("connection closed while the content guard held the response"));
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        state = State.PASSING;
        discardHeld(new IOException("content guard removed"));
    }

    /** Releases every held message; its write succeeds when {@code failure} is {@code null}, else fails with it. */
    private void discardHeld(Throwable failure) {
        encoded = null;
        slice = null;
        flushWanted = false;
        Held next;
        while ((next = held.poll()) != null) {
            ReferenceCountUtil.release(next.msg());
            if (failure == null) {
                next.promise().trySuccess();
            } else {
                next.promise().tryFailure(failure);
            }
        }
    }
}
