package dev.mapgate;

import dev.mapgate.config.SettingsWithEnvironment;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/**
 * {@code mapgate ARGS} in this JVM, parsed as {@link Main#main} parses it, with an environment and
 * standard input of the test's choosing (a pipe, never a terminal) and the output captured.
 */
final class Cli {

    /** What the command printed on standard output ({@code out}) and standard error ({@code err}). */
    record Result(int exit, String out, String err) {

        List<String> errLines() {
            return err.lines().toList();
        }

        String everything() {
            return out + err;
        }
    }

    private Cli() {
    }

    /** {@code mapgate ARGS} with {@code env} as its environment and nothing on standard input. */
    static Result run(Map<String, String> env, String... args) {
        return execute(env, "", args);
    }

    /** {@code echo STDIN | mapgate ARGS}. */
    static Result piped(String stdin, String... args) {
        return execute(Map.of(), stdin, args);
    }

    private static Result execute(Map<String, String> env, String stdin, String[] args) {
        CommandLine.IFactory factory = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                if (type == CheckConfigCommand.class) {
                    return type.cast(new CheckConfigCommand(path -> SettingsWithEnvironment.effective(path, env)));
                }
                if (type == HashPasswordCommand.class) {
                    return type.cast(new HashPasswordCommand(
                            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), null));
                }
                return CommandLine.defaultFactory().create(type);
            }
        };
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Main.commandLine(factory);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exit = commandLine.execute(args);
        return new Result(exit, out.toString(), err.toString());
    }
}
