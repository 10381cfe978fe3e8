package dev.mapgate.origin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StaticFilesTest {

    @TempDir
    Path tmp;

    private static Optional<Path> find(StaticFiles files, String path) throws IOException {
        return files.find(path).map(StaticFiles.Found::path);
    }

    @Test
    void swappingTheRootSymlinkServesTheNewReleaseAtOnce() throws IOException {
        Path v1 = Files.createDirectory(tmp.resolve("v1"));
        Path v2 = Files.createDirectory(tmp.resolve("v2"));
        Files.writeString(v1.resolve("old.js"), "1");
        Files.writeString(v2.resolve("new.js"), "2");
        Path current = Files.createSymbolicLink(tmp.resolve("current"), v1);
        StaticFiles files = new StaticFiles(current);

        assertThat(find(files, "/old.js")).isPresent();
        Files.delete(current);
        Files.createSymbolicLink(current, v2);

        assertThat(find(files, "/new.js")).as("deploys swap the symlink without a restart").isPresent();
        assertThat(find(files, "/old.js")).as("the previous release is no longer under the root").isEmpty();
    }

    @Test
    void dotSegmentsAreRefusedEvenIfTheGateMissedThem() throws IOException {
        Path root = Files.createDirectory(tmp.resolve("www"));
        Files.writeString(tmp.resolve("secret"), "x");

        assertThat(find(new StaticFiles(root), "/../secret")).isEmpty();
        assertThat(find(new StaticFiles(root), "/./../secret")).isEmpty();
    }

    @Test
    void fileIsNotReachableWithATrailingSlash() throws IOException {
        Path root = Files.createDirectory(tmp.resolve("www"));
        Files.writeString(root.resolve("app.js.map"), "{}");

        assertThat(find(new StaticFiles(root), "/app.js.map")).isPresent();
        assertThat(find(new StaticFiles(root), "/app.js.map/"))
                .as("a gate matching *.map would not see this path as a map, so it must not serve one")
                .isEmpty();
    }

    @Test
    void directoryWithTrailingSlashServesItsIndex() throws IOException {
        Path root = Files.createDirectory(tmp.resolve("www"));
        Files.createDirectory(root.resolve("docs"));
        Files.writeString(root.resolve("docs/index.html"), "<p>docs</p>");

        assertThat(find(new StaticFiles(root), "/docs/")).contains(root.resolve("docs/index.html").toRealPath());
        assertThat(find(new StaticFiles(root), "/docs")).contains(root.resolve("docs/index.html").toRealPath());
    }

    @Test
    void aFileUsedAsADirectoryOrANameTooLongForTheFileSystemIsNotFound() throws IOException {
        Path root = Files.createDirectory(tmp.resolve("www"));
        Files.writeString(root.resolve("app.js"), "1");
        StaticFiles files = new StaticFiles(root);

        assertThat(find(files, "/app.js/x.js")).as("ENOTDIR is a missing file, not a server error").isEmpty();
        assertThat(find(files, "/" + "a".repeat(300) + ".js")).as("ENAMETOOLONG likewise").isEmpty();
    }

    @Test
    void namedPipeIsNotServed() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("www"));
        Path fifo = root.resolve("pipe.js");
        boolean made;
        try {
            made = new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor() == 0;
        } catch (IOException e) {
            made = false;
        }
        assumeTrue(made, "mkfifo not available");

        assertThat(find(new StaticFiles(root), "/pipe.js"))
                .as("opening a FIFO would block the event loop until a writer appears")
                .isEmpty();
    }

    @Test
    void vanishedRootIsAnErrorNotAMissingFile() throws IOException {
        Path root = Files.createDirectory(tmp.resolve("www"));
        StaticFiles files = new StaticFiles(root);
        Files.delete(root);

        assertThatThrownBy(() -> files.find("/app.js"))
                .as("a misconfigured or deleted root must show up as a 500, not as a quiet 404")
                .isInstanceOf(IOException.class);
    }
}
