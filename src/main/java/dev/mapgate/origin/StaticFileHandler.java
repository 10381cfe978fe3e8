package dev.mapgate.origin;

import dev.mapgate.exchange.AdmittedRequest;
import dev.mapgate.exchange.ConnectionEvent;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.HttpChunkedInput;
import io.netty.handler.stream.ChunkedNioFile;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in origin: answers GET and HEAD from a directory, with validators, conditional
 * requests and single byte ranges, sending file bodies as zero-copy {@link DefaultFileRegion}s.
 *
 * <p>Sits last in a pipeline whose channel has AUTO_READ off behind a {@link dev.mapgate.flow.DemandHandler}, so each
 * {@code read()} yields one message. It pulls the rest of the request itself, answers after the
 * request's {@link LastHttpContent}, and then stops: the handler upstream owns keep-alive and
 * reads the next request once the response is written. One instance per channel.
 */
public final class StaticFileHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(StaticFileHandler.class);

    private static final String ALLOWED_METHODS = "GET, HEAD";
    private static final String TEXT_PLAIN = "text/plain; charset=utf-8";

    /** Bytes per chunk when a file is read into buffers rather than sent by the kernel. */
    static final int CHUNK_SIZE = 16 * 1024;

    private final StaticFiles files;
    private final boolean zeroCopy;

    /** The request whose body is being drained; holds no buffers. */
    private HttpRequest pending;
    /** The file body being sent in chunks (TLS), so that the content guard can cut it short. */
    private StoppableChunkedInput sending;

    /** @param root absolute path of an existing directory */
    public StaticFileHandler(Path root) {
        this(root, true);
    }

    /**
     * @param root     absolute path of an existing directory
     * @param zeroCopy whether file bodies may go to the socket as {@link DefaultFileRegion}s. Not
     *                 over TLS: the bytes must pass through the encrypting {@code SslHandler}, so
     *                 they are read in chunks, and a {@link io.netty.handler.stream.ChunkedWriteHandler}
     *                 between this handler and the codec writes them as the client takes them.
     */
    public StaticFileHandler(Path root, boolean zeroCopy) {
        this.files = new StaticFiles(root);
        this.zeroCopy = zeroCopy;
    }

    /**
     * The content guard refused the file being sent: over TLS the rest is not read from disk; the
     * input ends now, and its last content is what the guard answers with the denial. (A
     * zero-copy region is dropped whole by the guard.)
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ConnectionEvent.RESPONSE_REFUSED) {
            if (sending != null) {
                sending.stop();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            pending = request;
        } else if (!(msg instanceof HttpContent)) {
            ctx.fireChannelRead(msg);
            return;
        }
        // A FullHttpRequest is its own last content, so it is served at once, never read past.
        boolean last = msg instanceof LastHttpContent;
        ReferenceCountUtil.release(msg);
        if (!last) {
            ctx.read();
            return;
        }
        HttpRequest request = pending;
        pending = null;
        if (request == null) {
            log.debug("static.stray_last_content channel={}", ctx.channel().id());
            return;
        }
        serve(ctx, request);
    }

    private void serve(ChannelHandlerContext ctx, HttpRequest request) {
        HttpMethod method = request.method();
        boolean head = HttpMethod.HEAD.equals(method);
        if (!head && !HttpMethod.GET.equals(method)) {
            HttpResponse response = textResponse(HttpResponseStatus.METHOD_NOT_ALLOWED);
            response.headers().set(HttpHeaderNames.ALLOW, ALLOWED_METHODS);
            sendText(ctx, response, false);
            return;
        }
        if (!(request instanceof AdmittedRequest admitted)) {
            // The gate must have judged the request, and parsed its target, before letting it through.
            log.warn("static.not_admitted uri={}", request.uri());
            sendText(ctx, textResponse(HttpResponseStatus.INTERNAL_SERVER_ERROR), head);
            return;
        }
        String path = admitted.verdict().target().path();
        try {
            Optional<StaticFiles.Found> found = files.find(path);
            if (found.isEmpty()) {
                sendText(ctx, textResponse(HttpResponseStatus.NOT_FOUND), head);
                return;
            }
            serveFile(ctx, request, head, found.get());
        } catch (IOException e) {
            log.warn("static.io_error path={} error={}", path, e.toString());
            sendText(ctx, textResponse(HttpResponseStatus.INTERNAL_SERVER_ERROR), head);
        }
    }

    private void serveFile(ChannelHandlerContext ctx, HttpRequest request, boolean head, StaticFiles.Found found)
            throws IOException {
        long size = found.attributes().size();
        Validators validators = new Validators(
                Math.floorDiv(found.attributes().lastModifiedTime().toMillis(), 1000), size);
        HttpHeaders requestHeaders = request.headers();

        if (Preconditions.notModified(requestHeaders.get(HttpHeaderNames.IF_NONE_MATCH),
                requestHeaders.get(HttpHeaderNames.IF_MODIFIED_SINCE), validators)) {
            // No Content-Length: a 304 has no content by definition (RFC 9112 section 6.3).
            HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED);
            setValidators(response.headers(), validators);
            ctx.write(response);
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            return;
        }

        RangeRequest range = Preconditions.rangeAllowed(requestHeaders.get(HttpHeaderNames.IF_RANGE), validators)
                ? RangeRequest.parse(rangeHeader(requestHeaders), size)
                : RangeRequest.WHOLE;
        if (range instanceof RangeRequest.Unsatisfiable) {
            HttpResponse response = textResponse(HttpResponseStatus.REQUESTED_RANGE_NOT_SATISFIABLE);
            response.headers().set(HttpHeaderNames.CONTENT_RANGE, ByteRange.unsatisfiedContentRange(size));
            sendText(ctx, response, head);
            return;
        }

        FileChannel file;
        try {
            // Opened before the headers go out, so a file that vanished or lost its permissions
            // since it was found still gets a clean 404 instead of a truncated 200.
            file = FileChannel.open(found.path(), StandardOpenOption.READ);
        } catch (NoSuchFileException | AccessDeniedException e) {
            sendText(ctx, textResponse(HttpResponseStatus.NOT_FOUND), head);
            return;
        }

        HttpResponse response;
        long first = 0;
        long length = size;
        if (range instanceof RangeRequest.Part part) {
            response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.PARTIAL_CONTENT);
            response.headers().set(HttpHeaderNames.CONTENT_RANGE, part.range().contentRange());
            first = part.range().first();
            length = part.range().length();
        } else {
            response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        }
        HttpHeaders headers = response.headers();
        headers.set(HttpHeaderNames.CONTENT_TYPE, ContentTypes.forFileName(found.path().getFileName().toString()));
        headers.set(HttpHeaderNames.CONTENT_LENGTH, length);
        setValidators(headers, validators);

        ctx.write(response);
        if (head || length == 0) {
            closeQuietly(file, found.path());
        } else if (!zeroCopy) {
            // The chunked input owns the file channel from here, and ends with the last content.
            try {
                sending = new StoppableChunkedInput(new ChunkedNioFile(file, first, length, CHUNK_SIZE));
                ctx.writeAndFlush(new HttpChunkedInput(sending)).addListener(closeOnBodyFailure(found.path()));
            } catch (IOException e) {
                closeQuietly(file, found.path());
                ctx.close();
            }
            return;
        } else {
            // The region owns the file channel from here and closes it when released, also when
            // the write fails.
            // Peekable, so that the content guard can read the file's start (gate.content-guard).
            ctx.write(new PeekableFileRegion(file, first, length)).addListener(closeOnBodyFailure(found.path()));
        }
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    /**
     * Once headers with a Content-Length are out, a body that cannot be sent in full (the file was
     * truncated mid-transfer, say) leaves the connection out of step; closing is the only way to
     * tell the client the response is incomplete.
     */
    private static ChannelFutureListener closeOnBodyFailure(Path path) {
        return future -> {
            if (!future.isSuccess()) {
                log.warn("static.body_failed path={} error={}", path, String.valueOf(future.cause()));
                future.channel().close();
            }
        };
    }

    private static void closeQuietly(FileChannel file, Path path) {
        try {
            file.close();
        } catch (IOException e) {
            // Nothing was read from it, and the response is already on its way.
            log.debug("static.close_failed path={} error={}", path, e.toString());
        }
    }

    /** All Range field lines as one list, so two lines count as two ranges and get ignored. */
    private static String rangeHeader(HttpHeaders headers) {
        List<String> values = headers.getAll(HttpHeaderNames.RANGE);
        return values.isEmpty() ? null : String.join(",", values);
    }

    private static void setValidators(HttpHeaders headers, Validators validators) {
        headers.set(HttpHeaderNames.ETAG, validators.etag());
        headers.set(HttpHeaderNames.LAST_MODIFIED, validators.lastModified());
        headers.set(HttpHeaderNames.ACCEPT_RANGES, HttpHeaderValues.BYTES);
        headers.set(HttpHeaderNames.DATE, DateFormatter.format(new Date()));
    }

    private static HttpResponse textResponse(HttpResponseStatus status) {
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, TEXT_PLAIN);
        response.headers().set(HttpHeaderNames.DATE, DateFormatter.format(new Date()));
        return response;
    }

    /** Short text body naming the status; for HEAD the same headers and no body. */
    private static void sendText(ChannelHandlerContext ctx, HttpResponse response, boolean head) {
        byte[] body = (response.status().reasonPhrase() + "\n").getBytes(StandardCharsets.UTF_8);
        response.headers().set(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (head) {
            ctx.write(response);
            ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
            return;
        }
        ByteBuf content = ctx.alloc().buffer(body.length).writeBytes(body);
        DefaultFullHttpResponse full = new DefaultFullHttpResponse(response.protocolVersion(), response.status(), content);
        full.headers().set(response.headers());
        ctx.writeAndFlush(full);
    }
}
