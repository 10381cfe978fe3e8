package dev.mapgate.origin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.stream.ChunkedInput;

/**
 * A file body in chunks that can be ended early: once {@link #stop()}ped it reports its end, so
 * the chunked writer stops reading the file and writes the response's last content.
 */
final class StoppableChunkedInput implements ChunkedInput<ByteBuf> {

    private final ChunkedInput<ByteBuf> file;
    private boolean stopped;

    StoppableChunkedInput(ChunkedInput<ByteBuf> file) {
        this.file = file;
    }

    void stop() {
        stopped = true;
    }

    @Override
    public boolean isEndOfInput() throws Exception {
        return stopped || file.isEndOfInput();
    }

    @Override
    public void close() throws Exception {
        file.close();
    }

    @Deprecated
    @Override
    public ByteBuf readChunk(ChannelHandlerContext ctx) throws Exception {
        return readChunk(ctx.alloc());
    }

    @Override
    public ByteBuf readChunk(ByteBufAllocator allocator) throws Exception {
        return stopped ? null : file.readChunk(allocator);
    }

    @Override
    public long length() {
        return file.length();
    }

    @Override
    public long progress() {
        return file.progress();
    }
}
