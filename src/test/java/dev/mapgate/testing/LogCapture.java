package dev.mapgate.testing;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Keeps the formatted log lines of the test JVM in memory (the newest 100,000), so tests can
 * assert on what was logged — above all, that no secret ever was. Also collects Netty's leak
 * reports for {@link LeakCheckExtension}.
 */
public final class LogCapture extends AppenderBase<ILoggingEvent> {

    private static final int MAX_LINES = 100_000;
    private static final ArrayDeque<String> LINES = new ArrayDeque<>();
    private static final List<String> LEAKS = new ArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
        String line = event.getLoggerName() + " " + event.getLevel() + " " + event.getFormattedMessage()
                + (event.getThrowableProxy() == null ? "" : " " + event.getThrowableProxy().getMessage());
        synchronized (LogCapture.class) {
            if (LINES.size() == MAX_LINES) {
                LINES.removeFirst();
            }
            LINES.addLast(line);
            if (event.getFormattedMessage().startsWith("LEAK:")) {
                LEAKS.add(event.getFormattedMessage());
            }
        }
    }

    public static synchronized List<String> lines() {
        return List.copyOf(LINES);
    }

    public static synchronized List<String> linesFrom(String loggerName) {
        return LINES.stream().filter(l -> l.startsWith(loggerName + " ")).toList();
    }

    /**
     * Waits up to five seconds for a line from {@code loggerName} that contains every fragment.
     * The access log is written once the response has left, which may be just after the client
     * has read it.
     */
    public static String awaitLine(String loggerName, String... fragments) throws InterruptedException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        do {
            for (String line : linesFrom(loggerName)) {
                if (java.util.Arrays.stream(fragments).allMatch(line::contains)) {
                    return line;
                }
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        throw new AssertionError("no " + loggerName + " line with " + java.util.Arrays.toString(fragments));
    }

    static synchronized List<String> drainLeaks() {
        List<String> leaks = List.copyOf(LEAKS);
        LEAKS.clear();
        return leaks;
    }
}
