package dev.mapgate.config;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Why a file named in the config could not be read, in the words an operator would use. */
final class Unreadable {

    private Unreadable() {
    }

    static String describe(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return file + " does not exist";
        }
        if (e instanceof AccessDeniedException) {
            return file + " cannot be read: permission denied";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            // "Is a directory", "Not a directory", "Too many levels of symbolic links".
            return file + " cannot be read: " + fs.getReason().toLowerCase(java.util.Locale.ROOT);
        }
        return file + " cannot be read (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                + ")";
    }
}
