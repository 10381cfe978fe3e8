package dev.mapgate.admin;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Closes an admin connection that has been silent both ways for a while. Scrapers reconnect
 * cheaply; a connection left open by a client that went away would otherwise be held forever.
 */
final class IdleClose extends IdleStateHandler {

    IdleClose(Duration timeout) {
        super(0, 0, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void channelIdle(ChannelHandlerContext ctx, IdleStateEvent evt) {
        ctx.close();
    }
}
