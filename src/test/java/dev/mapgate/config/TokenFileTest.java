package dev.mapgate.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenFileTest {

    @TempDir
    Path dir;

    @Test
    void aTokenIsReadWithoutTheLineEndsAnEditorAppends() {
        assertThat(TokenFile.contents("abc\r\n\n")).isEqualTo(new TokenFile.Token("abc"));
        assertThat(TokenFile.contents("abc")).isEqualTo(new TokenFile.Token("abc"));
    }

    @Test
    void nothingButWhitespaceAndLineEndsIsAnEmptyFileThatRevokes() {
        for (String text : new String[] {"", "\n", "\r\n\r\n", "   ", " \t\n"}) {
            assertThat(TokenFile.contents(text)).as("%s", text.replace("\r", "\\r").replace("\n", "\\n"))
                    .isEqualTo(new TokenFile.Revoked(RevokedToken.Cause.EMPTY));
        }
    }

    @Test
    void aMissingFileOrADanglingSymlinkIsADeletedOne() throws IOException {
        Path dangling = Files.createSymbolicLink(dir.resolve("link"), dir.resolve("nowhere"));

        assertThat(TokenFile.read(dir.resolve("absent"))).isEqualTo(new TokenFile.Revoked(RevokedToken.Cause.DELETED));
        assertThat(TokenFile.read(dangling))
                .as("a Kubernetes Secret key removed: its symlink goes, or points at nothing")
                .isEqualTo(new TokenFile.Revoked(RevokedToken.Cause.DELETED));
    }

    @Test
    void aDirectoryIsAnErrorNotARevocation() throws IOException {
        Path directory = Files.createDirectory(dir.resolve("token"));

        assertThatThrownBy(() -> TokenFile.read(directory)).isInstanceOf(IOException.class);
    }

    @Test
    void theValueIsNeverInToString() {
        assertThat(new TokenFile.Token("never-shown").toString()).doesNotContain("never-shown");
    }
}
