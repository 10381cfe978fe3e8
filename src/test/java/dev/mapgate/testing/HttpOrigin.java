package dev.mapgate.testing;

/** An asset origin a test puts mapgate in front of, running until closed. */
public interface HttpOrigin extends AutoCloseable {

    /** The base URL to use as mapgate's {@code origin.url}. */
    String url();

    /** What to call this origin in test names and failure messages. */
    String name();

    @Override
    void close();
}
