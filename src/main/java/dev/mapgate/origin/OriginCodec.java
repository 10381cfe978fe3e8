package dev.mapgate.origin;

import io.netty.buffer.ByteBuf;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;

/**
 * The origin connection's codec: Netty's request encoder, and {@link OriginResponseDecoder} for
 * the answers. The encoder tells the decoder the method of each request it writes, so that the
 * answer to a HEAD is read without a body. One request is outstanding at a time on an origin
 * connection ({@link ProxyHandler} never pipelines), so one remembered method is enough.
 */
final class OriginCodec extends CombinedChannelDuplexHandler<OriginResponseDecoder, OriginCodec.RequestEncoder> {

    OriginCodec() {
        OriginResponseDecoder decoder = new OriginResponseDecoder();
        init(decoder, new RequestEncoder(decoder));
    }

    static final class RequestEncoder extends HttpRequestEncoder {

        private final OriginResponseDecoder decoder;

        RequestEncoder(OriginResponseDecoder decoder) {
            this.decoder = decoder;
        }

        @Override
        protected void encodeInitialLine(ByteBuf buf, HttpRequest request) throws Exception {
            decoder.expectAnswerTo(request.method());
            super.encodeInitialLine(buf, request);
        }
    }
}
