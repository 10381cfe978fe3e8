package dev.mapgate.testing;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;

/**
 * Put at the head of a pipeline whose channel does not auto-read: counts the reads the handlers
 * behind it ask for, which is how they pull input, and so what backpressure tests look at.
 */
public final class ReadCounter extends ChannelOutboundHandlerAdapter {

    private int count;

    public int count() {
        return count;
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
        count++;
        ctx.read();
    }
}
