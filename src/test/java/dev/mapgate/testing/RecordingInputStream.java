package dev.mapgate.testing;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/** Copies every byte read through it into a transcript, so a test can search all that arrived. */
final class RecordingInputStream extends FilterInputStream {

    private final ByteArrayOutputStream transcript;

    RecordingInputStream(InputStream in, ByteArrayOutputStream transcript) {
        super(in);
        this.transcript = transcript;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            transcript.write(b);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            transcript.write(b, off, n);
        }
        return n;
    }

    /** Skipped bytes were received too: they are read, so that they are recorded. */
    @Override
    public long skip(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(n, 8192)];
        int read = read(buf, 0, buf.length);
        return Math.max(read, 0);
    }
}
