package dev.mapgate.watch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceFingerprintTest {

    @TempDir
    Path dir;

    @Test
    void aDeletedFileIsAChangeAndSoIsItsReturn() throws IOException {
        Path token = Files.writeString(dir.resolve("token"), "a\n");
        SourceFingerprint present = SourceFingerprint.of(List.of(token));

        Files.delete(token);
        SourceFingerprint missing = SourceFingerprint.of(List.of(token));
        assertThat(missing.changedSince(present)).containsExactly(token);
        assertThat(SourceFingerprint.of(List.of(token)).changedSince(missing))
                .as("still missing: nothing to reload").isEmpty();

        Files.writeString(token, "a\n");
        assertThat(SourceFingerprint.of(List.of(token)).changedSince(missing))
                .as("the same bytes as before it was deleted are still a change from missing").containsExactly(token);
    }

    @Test
    void aDirectoryInPlaceOfAFileIsAChangeFromMissingAndFromAFile() throws IOException {
        Path token = dir.resolve("token");
        SourceFingerprint missing = SourceFingerprint.of(List.of(token));
        Files.createDirectory(token);

        assertThat(SourceFingerprint.of(List.of(token)).changedSince(missing)).containsExactly(token);
    }

    @Test
    void preferringKeepsEarlierDigestsAndReadsOnlyNewFiles() throws IOException {
        Path a = Files.writeString(dir.resolve("a"), "1");
        Path b = Files.writeString(dir.resolve("b"), "1");
        SourceFingerprint before = SourceFingerprint.of(List.of(a));
        Files.writeString(a, "2");

        SourceFingerprint merged = SourceFingerprint.of(List.of(a, b)).preferring(before);

        assertThat(merged.digests().get(a)).as("a's digest from before it changed").isEqualTo(before.digests().get(a));
        assertThat(merged.digests().get(b)).isEqualTo(SourceFingerprint.of(List.of(b)).digests().get(b));
        assertThat(SourceFingerprint.of(List.of(a, b)).changedSince(merged)).containsExactly(a);
    }
}
