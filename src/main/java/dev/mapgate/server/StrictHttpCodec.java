package dev.mapgate.server;

import dev.mapgate.wire.RawHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import java.util.ArrayDeque;
import java.util.Queue;

/**
 * mapgate's server codec: the {@link StrictRequestDecoder} and a response encoder that knows which
 * request each response answers, so that the response to a HEAD carries no body. It takes the
 * place of Netty's {@code HttpServerCodec}, which cannot be given another decoder.
 *
 * <p>No upgrade handler follows it, so an {@code Upgrade} request (e.g. h2c) is answered as plain
 * HTTP/1.1; {@code HopByHop} keeps the header from the origin as well.
 */
final class StrictHttpCodec extends CombinedChannelDuplexHandler<StrictRequestDecoder, StrictHttpCodec.ResponseEncoder> {

    /** The limits are those of {@code listen.max-initial-line-length}, {@code max-header-size}, {@code max-header-count}. */
    StrictHttpCodec(int maxInitialLineLength, int maxHeaderSize, int maxHeaderCount) {
        HttpDecoderConfig config = new HttpDecoderConfig()
                .setMaxInitialLineLength(maxInitialLineLength)
                .setMaxHeaderSize(maxHeaderSize)
                // Bare LF or CR as a line end is another way for two parsers to split lines differently.
                .setStrictLineParsing(true);
        // One queue per connection, touched only on its event loop.
        Queue<HttpMethod> methods = new ArrayDeque<>();
        init(new StrictRequestDecoder(config, new FramingRules(maxHeaderCount), methods), new ResponseEncoder(methods));
    }

    static final class ResponseEncoder extends HttpResponseEncoder {

        private final Queue<HttpMethod> methods;

        ResponseEncoder(Queue<HttpMethod> methods) {
            this.methods = methods;
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse response) {
            // A "100 Continue" precedes the final response to the same request, so it must not
            // use up that request's method.
            if (response.status().codeClass() == HttpStatusClass.INFORMATIONAL) {
                return super.isContentAlwaysEmpty(response);
            }
            return HttpMethod.HEAD.equals(methods.poll()) || super.isContentAlwaysEmpty(response);
        }

        /** An origin's header fields go out as the bytes they came in, less what was removed. */
        @Override
        protected void encodeHeaders(HttpHeaders headers, ByteBuf buf) {
            if (headers instanceof RawHeaders raw) {
                raw.encode(buf);
            } else {
                super.encodeHeaders(headers, buf);
            }
        }
    }
}
