package dev.mapgate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mapgate.testing.FileLimit;
import dev.mapgate.testing.Heavy;
import dev.mapgate.testing.MapgateJvm;
import dev.mapgate.testing.TestMapgate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What mapgate says at startup about its open-file limit, started with limits of the test's choosing. */
@Heavy
class OpenFileLimitLogTest {

    @TempDir
    Path dir;

    private Path config(String listen) throws Exception {
        Path site = Files.createDirectories(dir.resolve("site"));
        Path config = dir.resolve("mapgate.conf");
        Files.writeString(config, """
                mapgate {
                  listen { host = "127.0.0.1", port = 0, io-threads = 2, %s }
                  origin.directory = "%s"
                }
                """.formatted(listen, site));
        return config;
    }

    @Test
    void theJvmRaisesTheSoftLimitToTheHardOneAndALimitBelowWhatBothListenersNeedIsWarnedAbout() throws Exception {
        assumeTrue(FileLimit.self().hard() >= 4096, "a hard limit of 4096 can be set only below the one this test has");
        Path config = config("max-connections = 16384");
        try (MapgateJvm mapgate = TestMapgate.jvm().fileLimits(512, 4096).start("--config", config.toString())) {
            mapgate.awaitPort();
            FileLimit granted = FileLimit.of(mapgate.pid());
            List<String> output = mapgate.output();

            assertThat(granted.soft()).as("-XX:+MaxFDLimit raised 512 to the hard limit").isEqualTo(4096);
            assertThat(output).as("the limit as the JVM left it").anySatisfy(line ->
                    assertThat(line).contains("INFO").contains("event=open-files-limit soft=4096 hard=4096"));
            assertThat(output).as("2 x 16384 clients do not fit in 4096").anySatisfy(line ->
                    assertThat(line).contains("WARN").contains("event=open-files-limit-low")
                            .contains("mapgate.listen.max-connections (16384")
                            .contains("mapgate.admin.max-connections (64)")
                            .contains("LimitNOFILE").contains("ulimit -n"));
        }
    }

    @Test
    void aLimitThatCoversBothListenersIsOnlyReported() throws Exception {
        assumeTrue(FileLimit.self().hard() >= 4096, "a hard limit of 4096 can be set only below the one this test has");
        Path config = config("max-connections = 1000");
        try (MapgateJvm mapgate = TestMapgate.jvm().fileLimit(4096).start("--config", config.toString())) {
            mapgate.awaitPort();

            assertThat(mapgate.output())
                    .anySatisfy(line -> assertThat(line).contains("event=open-files-limit soft=4096"));
            assertThat(mapgate.output()).noneSatisfy(line -> assertThat(line).contains("open-files-limit-low"));
        }
    }
}
