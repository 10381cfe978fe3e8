package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Access lines reach stdout in few writes, and always whole. */
class BatchedStdoutAppenderTest {

    /** Records each write it gets, as the system calls the appender would make. */
    private static final class Writes extends OutputStream {
        final List<String> writes = new ArrayList<>();
        boolean closed;

        @Override
        public void write(int b) {
            writes.add(String.valueOf((char) b));
        }

        @Override
        public void write(byte[] b, int off, int len) {
            writes.add(new String(b, off, len, StandardCharsets.UTF_8));
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void manyLinesGoOutInOneWriteWhenTheWriterHasCaughtUp() throws IOException {
        Writes stdout = new Writes();
        BatchedStdoutAppender.WholeLines lines = new BatchedStdoutAppender.WholeLines(stdout, 1024);

        for (int i = 0; i < 10; i++) {
            lines.write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
        }
        assertThat(stdout.writes).as("nothing is written line by line").isEmpty();
        lines.flush();

        assertThat(stdout.writes).hasSize(1);
        assertThat(stdout.writes.get(0)).startsWith("line 0\n").endsWith("line 9\n");
    }

    @Test
    void aLineThatDoesNotFitSendsTheOthersFirstAndIsNeverSplit() throws IOException {
        Writes stdout = new Writes();
        BatchedStdoutAppender.WholeLines lines = new BatchedStdoutAppender.WholeLines(stdout, 16);

        lines.write("0123456789\n".getBytes(StandardCharsets.UTF_8));
        lines.write("abcdefghij\n".getBytes(StandardCharsets.UTF_8));
        lines.write("a line longer than the whole buffer\n".getBytes(StandardCharsets.UTF_8));
        lines.flush();

        assertThat(stdout.writes)
                .as("each write ends at a line's end, so another writer's line cannot land inside one")
                .containsExactly("0123456789\n", "abcdefghij\n", "a line longer than the whole buffer\n");
    }

    @Test
    void closingFlushesButLeavesStdoutOpen() throws IOException {
        Writes stdout = new Writes();
        BatchedStdoutAppender.WholeLines lines = new BatchedStdoutAppender.WholeLines(stdout, 64);
        lines.write("last\n".getBytes(StandardCharsets.UTF_8));

        lines.close();

        assertThat(stdout.writes).containsExactly("last\n");
        assertThat(stdout.closed).as("stdout is the whole process's, not the appender's").isFalse();
    }

    @Test
    void anAppenderStoppedAtShutdownWritesWhatItHeld() {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        BatchedStdoutAppender<String> appender = new BatchedStdoutAppender<>(stdout);
        appender.setContext(new ch.qos.logback.core.ContextBase());
        appender.setEncoder(new ch.qos.logback.core.encoder.EchoEncoder<>());
        appender.start();

        appender.doAppend("one");
        appender.doAppend("two");
        assertThat(stdout.size()).as("held until the writer catches up").isZero();
        BatchedStdoutAppender.flushAll();
        assertThat(stdout.toString(StandardCharsets.UTF_8)).contains("one", "two");
        appender.doAppend("three");
        appender.stop();

        assertThat(stdout.toString(StandardCharsets.UTF_8)).contains("three");
    }
}
