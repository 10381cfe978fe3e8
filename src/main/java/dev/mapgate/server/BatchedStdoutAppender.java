package dev.mapgate.server;

import ch.qos.logback.core.OutputStreamAppender;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The access log's appender in the shipped logback.xml: stdout, like Logback's console appender,
 * but the lines are gathered and written together. The console appender makes one
 * {@code write} per line (System.out flushes every call), so a proxy serving tens of thousands of
 * requests a second paid a system call per request for its log alone.
 *
 * <p>Lines go out whole: a line that would not fit in what is left of the buffer first sends
 * what is there, so another appender writing to the same stdout can never land inside one. They go
 * out when the buffer fills, and whenever the access log's writer thread has caught up with the
 * queue ({@link #flushAll}), which it does within a few milliseconds of the last request. Only
 * the access log uses it: other log lines, such as the one line a bad config gets before the
 * process exits, go out at once through the console appender.
 *
 * @param <E> the logging event type
 */
public final class BatchedStdoutAppender<E> extends OutputStreamAppender<E> {

    /** Enough for about a hundred JSON access lines. */
    static final int BUFFER_BYTES = 64 * 1024;

    private static final Set<BatchedStdoutAppender<?>> STARTED = ConcurrentHashMap.newKeySet();

    private final OutputStream target;

    public BatchedStdoutAppender() {
        // Not System.out: it flushes on every call, which is the system call per line this saves.
        this(new FileOutputStream(FileDescriptor.out));
    }

    /** @param target where the batches go; for tests */
    BatchedStdoutAppender(OutputStream target) {
        this.target = target;
    }

    @Override
    public void start() {
        setOutputStream(new WholeLines(target, BUFFER_BYTES));
        setImmediateFlush(false);
        super.start();
        STARTED.add(this);
    }

    @Override
    public void stop() {
        STARTED.remove(this);
        flushBatch();
        super.stop();
    }

    /** Sends what every started appender of this kind holds; called by the access log's writer thread. */
    static void flushAll() {
        for (BatchedStdoutAppender<?> appender : STARTED) {
            appender.flushBatch();
        }
    }

    /** Under the appender's own lock, so that no line is being added meanwhile. */
    void flushBatch() {
        streamWriteLock.lock();
        try {
            OutputStream out = getOutputStream();
            if (out != null) {
                out.flush();
            }
        } catch (IOException e) {
            addError("cannot write the access log to stdout", e);
        } finally {
            streamWriteLock.unlock();
        }
    }

    /**
     * A buffer that only ever sends whole writes: each write from the appender is one encoded
     * line. Closing it flushes but leaves stdout open for the rest of the process.
     */
    static final class WholeLines extends OutputStream {
        private final OutputStream out;
        private final byte[] buffer;
        private int count;

        WholeLines(OutputStream out, int size) {
            this.out = out;
            this.buffer = new byte[size];
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            if (count + length > buffer.length) {
                send();
            }
            if (length > buffer.length) {
                out.write(bytes, offset, length);
                return;
            }
            System.arraycopy(bytes, offset, buffer, count, length);
            count += length;
        }

        @Override
        public void flush() throws IOException {
            send();
            out.flush();
        }

        @Override
        public void close() throws IOException {
            flush();
        }

        private void send() throws IOException {
            if (count > 0) {
                out.write(buffer, 0, count);
                count = 0;
            }
        }
    }
}
