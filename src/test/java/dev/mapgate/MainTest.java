package dev.mapgate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {

    @Test
    void theHelpListsEveryCommand() {
        String usage = Main.commandLine(CommandLine.defaultFactory()).getUsageMessage(CommandLine.Help.Ansi.OFF);

        assertThat(usage).contains("Commands:");
        assertThat(usage.substring(usage.indexOf("Commands:")).lines().map(String::strip))
                .as("one line per command, in this order")
                .anySatisfy(line -> assertThat(line).startsWith("run "))
                .anySatisfy(line -> assertThat(line).startsWith("check-config "))
                .anySatisfy(line -> assertThat(line).startsWith("hash-password "))
                .anySatisfy(line -> assertThat(line).startsWith("verify "));
    }

    @Test
    void aWrongCommandLineIsOneLineNotTheWholeUsageHelp() {
        Cli.Result result = Cli.run(Map.of(), "--no-such-option");

        assertThat(result.exit()).isEqualTo(Main.EXIT_USAGE);
        assertThat(result.errLines()).singleElement().asString()
                .startsWith("mapgate: Unknown option: '--no-such-option'").endsWith("(see mapgate --help)");
    }
}
