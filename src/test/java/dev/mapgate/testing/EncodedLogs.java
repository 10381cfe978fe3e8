package dev.mapgate.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;

/**
 * Everything one logger (and the loggers below it) writes, encoded twice in memory: by a pattern
 * layout as the text form, and by LogstashEncoder as the JSON form, the two encoders the shipped
 * logback.xml files use. Unlike {@link LogCapture}, which keeps only the formatted message, this
 * keeps what an encoder really writes: structured fields and full stack traces.
 */
public final class EncodedLogs implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Logger logger;
    private final ByteArrayOutputStream textBytes = new ByteArrayOutputStream();
    private final ByteArrayOutputStream jsonBytes = new ByteArrayOutputStream();
    private final OutputStreamAppender<ILoggingEvent> text;
    private final OutputStreamAppender<ILoggingEvent> json;

    private EncodedLogs(String loggerName) {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        logger = context.getLogger(loggerName);
        PatternLayoutEncoder pattern = new PatternLayoutEncoder();
        pattern.setContext(context);
        // %msg alone, so tests can compare the whole message; %ex keeps any stack trace in full.
        pattern.setPattern("%msg%n%ex");
        pattern.start();
        LogstashEncoder logstash = new LogstashEncoder();
        logstash.setContext(context);
        logstash.start();
        text = appender(context, "encoded-text", pattern, textBytes);
        json = appender(context, "encoded-json", logstash, jsonBytes);
        logger.addAppender(text);
        logger.addAppender(json);
    }

    /** Starts capturing what {@code loggerName} logs; {@link #close()} stops. */
    public static EncodedLogs attach(String loggerName) {
        return new EncodedLogs(loggerName);
    }

    private static OutputStreamAppender<ILoggingEvent> appender(LoggerContext context, String name,
            Encoder<ILoggingEvent> encoder, ByteArrayOutputStream sink) {
        OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
        appender.setContext(context);
        appender.setName(name);
        appender.setEncoder(encoder);
        appender.setOutputStream(sink);
        appender.start();
        return appender;
    }

    public String text() {
        return textBytes.toString(StandardCharsets.UTF_8);
    }

    public String json() {
        return jsonBytes.toString(StandardCharsets.UTF_8);
    }

    /** Each JSON line parsed; a line that is not one JSON object fails the test. */
    public List<JsonNode> jsonLines() {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : json().split("\n")) {
            if (line.isEmpty()) {
                continue;
            }
            try {
                lines.add(JSON.readTree(line));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new UncheckedIOException("not a JSON line: " + line, e);
            }
        }
        return lines;
    }

    @Override
    public void close() {
        logger.detachAppender(text);
        logger.detachAppender(json);
        text.stop();
        json.stop();
    }
}
