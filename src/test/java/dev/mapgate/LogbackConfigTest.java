package dev.mapgate;

import static net.logstash.logback.argument.StructuredArguments.v;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.status.Status;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mapgate.server.BatchedStdoutAppender;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The two logback.xml files mapgate ships, loaded the way Logback loads them at startup: each
 * must configure without a warning (Logback prints its whole status report on the console when
 * there is one), and MAPGATE_LOG_FORMAT must choose the encoder.
 */
class LogbackConfigTest {

    private static final Path OPS_COPY = Path.of("conf/logback.xml");

    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} with MAPGATE_LOG_FORMAT={1}")
    @CsvSource({
            "src/main/resources/logback.xml, text, false",
            "src/main/resources/logback.xml, json, true",
            "src/main/resources/logback.xml, JSON, false",
            "conf/logback.xml, text, false",
            "conf/logback.xml, json, true",
    })
    void loadsWithoutWarningsAndTheFormatChoosesTheEncoder(Path file, String format, boolean json) throws Exception {
        LoggerContext context = configure(Files.readString(file), format);
        try {
            Encoder<ILoggingEvent> console = encoder(context.getLogger(Logger.ROOT_LOGGER_NAME), "CONSOLE");
            assertThat(console).as("only the exact value json switches to JSON")
                    .isInstanceOf(json ? LogstashEncoder.class : PatternLayoutEncoder.class);

            Logger access = context.getLogger("mapgate.access");
            assertThat(access.getEffectiveLevel()).as("the access log is on by default").isEqualTo(Level.INFO);
            assertThat(access.getAppender("ACCESS")).as("stdout, several lines to a write")
                    .isInstanceOf(BatchedStdoutAppender.class);
            Encoder<ILoggingEvent> accessEncoder = encoder(access, "ACCESS");
            assertThat(accessEncoder).as("the same format as every other line")
                    .isInstanceOf(json ? LogstashEncoder.class : PatternLayoutEncoder.class);
            String line = encode(accessEncoder, access);
            if (json) {
                JsonNode node = new ObjectMapper().readTree(line);
                assertThat(node.get("status").isInt()).as("structured arguments become typed fields").isTrue();
                assertThat(node.get("credential").asText()).isEqualTo("sentry-2026");
            } else {
                assertThat(line).contains(" INFO  mapgate.access status=200 credential=sentry-2026");
            }
        } finally {
            context.stop();
        }
    }

    @Test
    void theOpsCopyGivesTheAccessLogAppendersOfItsOwnSoItCanBeRoutedAlone() throws Exception {
        LoggerContext context = configure(Files.readString(OPS_COPY), "text");
        try {
            Logger access = context.getLogger("mapgate.access");
            assertThat(access.isAdditive()).as("otherwise root's appenders would get each access line too").isFalse();
            assertThat(access.getAppender("ACCESS")).as("by default it goes to stdout all the same")
                    .isInstanceOf(BatchedStdoutAppender.class);
        } finally {
            context.stop();
        }
    }

    @Test
    void theCommentedAccessFileExampleWritesTheFileOnceUncommented() throws Exception {
        String conf = Files.readString(OPS_COPY);
        int start = conf.indexOf("<appender name=\"ACCESS_ROLLING\"");
        int end = conf.indexOf("-->", start);
        assertThat(start).as("the example is still in conf/logback.xml").isPositive();
        String example = conf.substring(start, end).replace("logs/", dir.toString() + "/");
        String edited = conf.replaceAll("(?s)\\s*(<!--[^<]*-->\\s*)?<appender name=\"ACCESS\" .*?</appender>", "")
                .replace("<appender-ref ref=\"ACCESS\"/>\n  </logger>", "<appender-ref ref=\"ACCESS_FILE\"/>\n  </logger>")
                .replace("<logger name=\"dev.mapgate\"", example + "\n  <logger name=\"dev.mapgate\"");
        assertThat(edited).as("the edit the comment describes").contains("<appender-ref ref=\"ACCESS_FILE\"/>\n  </logger>")
                .doesNotContain("<appender name=\"ACCESS\"");

        LoggerContext context = configure(edited, "text");
        context.getLogger("mapgate.access").info("status={} credential={}", v("status", 200), v("credential", "sentry-2026"));
        context.stop(); // drains the async queue and closes the file

        assertThat(Files.readString(dir.resolve("access.log"), StandardCharsets.UTF_8))
                .contains(" status=200 credential=sentry-2026");
    }

    /** A fresh Logback context configured from {@code xml}; fails on any warning or error status. */
    private LoggerContext configure(String xml, String format) throws Exception {
        Path file = Files.writeString(dir.resolve("logback-" + System.nanoTime() + ".xml"), xml);
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        // A context property is looked up before the environment, so the test decides whatever is set there.
        context.putProperty("MAPGATE_LOG_FORMAT", format);
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(file.toFile());
        List<String> problems = context.getStatusManager().getCopyOfStatusList().stream()
                .filter(s -> s.getEffectiveLevel() >= Status.WARN)
                .map(Status::toString)
                .toList();
        assertThat(problems).as("Logback would print its status report at every startup").isEmpty();
        return context;
    }

    @SuppressWarnings("unchecked")
    private static Encoder<ILoggingEvent> encoder(Logger logger, String appenderName) {
        Appender<ILoggingEvent> appender = logger.getAppender(appenderName);
        assertThat(appender).as("%s has appender %s", logger.getName(), appenderName)
                .isInstanceOf(OutputStreamAppender.class);
        return ((OutputStreamAppender<ILoggingEvent>) appender).getEncoder();
    }

    /** What the encoder writes for an access-style event with structured arguments. */
    private static String encode(Encoder<ILoggingEvent> encoder, Logger logger) {
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), logger, Level.INFO, "status={} credential={}",
                null, new Object[] {v("status", 200), v("credential", "sentry-2026")});
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }
}
