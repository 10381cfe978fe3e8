package dev.mapgate.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty's leak detector reported a leaked buffer while it ran. Registered
 * for every test class through the ServiceLoader (surefire enables extension autodetection), and
 * the surefire argLine sets the detector to paranoid, so every buffer is tracked.
 */
public final class LeakCheckExtension implements AfterAllCallback {

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        List<String> leaks = detectLeaks();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " ByteBuf leak(s) reported by Netty while "
                    + context.getDisplayName() + " ran; first:\n" + leaks.get(0));
        }
    }

    /** Collects and returns the leak reports since the last call. */
    static List<String> detectLeaks() throws InterruptedException {
        // The detector only notices a leak once the buffer is collected, and only reports it
        // while tracking a later allocation: collect, then allocate a little.
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(50);
            for (int i = 0; i < 64; i++) {
                ByteBuf pooled = PooledByteBufAllocator.DEFAULT.directBuffer(16);
                pooled.release();
                ByteBuf unpooled = UnpooledByteBufAllocator.DEFAULT.heapBuffer(16);
                unpooled.release();
            }
        }
        return LogCapture.drainLeaks();
    }
}
