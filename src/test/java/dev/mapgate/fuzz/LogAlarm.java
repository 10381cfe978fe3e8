package dev.mapgate.fuzz;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Collects every WARN or ERROR logged while attached: no fuzzed input may make mapgate (or Netty,
 * whose leak reports are ERRORs) warn. The fuzzer runs its channels on its own thread, so what is
 * collected between two {@link #drain()} calls belongs to the case in between.
 */
final class LogAlarm extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    private static final String CLIENT_ERRORS = "dev.mapgate.server.ClientErrors";
    /** The name of LogCapture's appender in logback-test.xml. */
    private static final String CAPTURE = "CAPTURE";

    private final List<String> lines = new ArrayList<>();
    private final boolean clientErrors;
    private Appender<ILoggingEvent> capture;

    private LogAlarm(boolean clientErrors) {
        this.clientErrors = clientErrors;
    }

    static LogAlarm attach() {
        return attach(false);
    }

    /**
     * @param clientErrors also collect the DEBUG line that mapgate's last handler writes for an
     *                     error nobody else handled: on sockets that is where one shows
     */
    static LogAlarm attach(boolean clientErrors) {
        LogAlarm alarm = new LogAlarm(clientErrors);
        alarm.setName("fuzz-log-alarm");
        alarm.start();
        root().addAppender(alarm);
        // A fuzz run logs hundreds of thousands of DEBUG lines, some kilobytes long. LogCapture
        // keeps the newest 100,000 for other tests' assertions, and they would only fill the heap.
        alarm.capture = root().getAppender(CAPTURE);
        if (alarm.capture != null) {
            root().detachAppender(alarm.capture);
        }
        return alarm;
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (clientErrors && event.getLoggerName().equals(CLIENT_ERRORS)) {
            synchronized (lines) {
                lines.add("[exception] reached the end of the pipeline: " + event.getFormattedMessage());
            }
        } else if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
            synchronized (lines) {
                lines.add("[log " + event.getLevel() + "] " + event.getLoggerName() + " " + event.getFormattedMessage()
                        + (event.getThrowableProxy() == null ? "" : " " + event.getThrowableProxy().getClassName()
                        + ": " + event.getThrowableProxy().getMessage()));
            }
        }
    }

    List<String> drain() {
        synchronized (lines) {
            if (lines.isEmpty()) {
                return List.of();
            }
            List<String> out = List.copyOf(lines);
            lines.clear();
            return out;
        }
    }

    @Override
    public void close() {
        if (capture != null) {
            root().addAppender(capture);
        }
        root().detachAppender(this);
        stop();
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }
}
