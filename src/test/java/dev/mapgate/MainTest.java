package dev.mapgate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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

    @Test
    void aConfigGivenBeforeTheCommandNameIsTheOneChecked(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, "mapgate.listen.port = 70000\n");

        Cli.Result before = Cli.run(Map.of(), "--config", bad.toString(), "check-config");
        Cli.Result after = Cli.run(Map.of(), "check-config", "--config", bad.toString());

        assertThat(before.exit()).as("not the default conf/mapgate.conf").isEqualTo(Main.EXIT_CONFIG);
        assertThat(before.errLines()).singleElement().asString().contains(bad.toString()).contains("mapgate.listen.port");
        assertThat(before.errLines()).isEqualTo(after.errLines());
    }

    @Test
    void everyCommandNamesTheBuildOnVersion() {
        Cli.Result top = Cli.run(Map.of(), "--version");
        Cli.Result verify = Cli.run(Map.of(), "verify", "--version");

        assertThat(top.exit()).isZero();
        assertThat(top.out()).startsWith("mapgate ");
        assertThat(verify.out()).isEqualTo(top.out());
    }
}
