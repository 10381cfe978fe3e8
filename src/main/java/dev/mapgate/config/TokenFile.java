package dev.mapgate.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads the file behind a {@code { name, file }} token. Deleting the file or emptying it revokes
 * that one token; any other failure to read it (permission denied, a directory, an I/O error) is
 * a problem with the config, because mapgate cannot tell what the operator meant, and guessing
 * "revoked" would let a transient error take a working token away.
 */
final class TokenFile {

    /** What the file holds. */
    sealed interface Contents permits Token, Revoked {
    }

    /** A token, without the line end(s) that editors and {@code echo} append. */
    record Token(String value) implements Contents {
        @Override
        public String toString() {
            return "Token[value=<redacted>]";
        }
    }

    /** No token: the operator revoked it. */
    record Revoked(RevokedToken.Cause cause) implements Contents {
    }

    private TokenFile() {
    }

    /** @throws IOException for any failure other than the file not existing */
    static Contents read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return new Revoked(RevokedToken.Cause.DELETED);
        }
        return contents(text);
    }

    /** The decision on a file's text, apart from the file system. */
    static Contents contents(String text) {
        // `> file`, `truncate -s0`, an editor's "delete all then save" or `echo > file` all leave
        // nothing or a line end; a lone space is no more a token than an empty file.
        if (text.isBlank()) {
            return new Revoked(RevokedToken.Cause.EMPTY);
        }
        return new Token(text.replaceAll("[\\r\\n]+$", ""));
    }
}
