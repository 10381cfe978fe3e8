package dev.mapgate.origin;

import io.netty.channel.DefaultFileRegion;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * A zero-copy file body whose first bytes can be read without sending them, so that the content
 * guard can look at a static file's start. Reading does not move the region: the kernel still
 * sends the whole range.
 */
public final class PeekableFileRegion extends DefaultFileRegion {

    private final FileChannel file;

    public PeekableFileRegion(FileChannel file, long position, long count) {
        super(file, position, count);
        this.file = file;
    }

    /** Up to {@code max} bytes from the region's start; fewer when the region or the file is shorter. */
    public byte[] peek(int max) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(max, count()));
        while (buffer.hasRemaining()) {
            if (file.read(buffer, position() + buffer.position()) < 0) {
                break;
            }
        }
        byte[] start = new byte[buffer.position()];
        buffer.flip().get(start);
        return start;
    }
}
