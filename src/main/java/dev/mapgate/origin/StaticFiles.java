package dev.mapgate.origin;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * Maps a canonical request path to a regular file under a root directory, or to nothing.
 * Containment is checked twice: lexically after joining (so no path arithmetic can climb out),
 * and on the real path (so a symlink inside the root cannot point outside it).
 */
public final class StaticFiles {

    static final String INDEX = "index.html";

    private final Path root;

    /** @param root the directory served; may itself be a symlink, e.g. {@code current -> releases/42} */
    public StaticFiles(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    /** A regular file found for a request path, with the attributes read while finding it. */
    public record Found(Path path, BasicFileAttributes attributes) {
    }

    /**
     * @param canonicalPath decoded path starting with {@code /}, e.g. {@code /assets/app.js}
     * @return the file to serve, or empty when there is none a client may see (missing,
     *     unreadable, outside the root, or not a regular file)
     * @throws IOException on failures that are not about the file being absent or forbidden
     */
    public Optional<Found> find(String canonicalPath) throws IOException {
        Path joined = root;
        try {
            for (String segment : canonicalPath.split("/")) {
                if (segment.isEmpty()) {
                    continue;
                }
                if (segment.equals(".") || segment.equals("..")) {
                    // The gate rejects these; refusing here too keeps this class safe on its own.
                    return Optional.empty();
                }
                joined = joined.resolve(segment);
            }
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
        joined = joined.normalize();
        if (!joined.startsWith(root)) {
            return Optional.empty();
        }
        // Resolved per request, not once: a deploy that swaps the root symlink must take effect
        // without restarting, and files outside the new target must stop being served. A root
        // that is gone is a server problem, not a missing file, so its IOException propagates.
        Path realRoot = root.toRealPath();
        try {
            Optional<Found> found = regularFileUnder(realRoot, joined.toRealPath());
            if (found.isPresent()) {
                // "/app.js.map/" must not reach app.js.map: the gate classifies the path as
                // written, and a trailing slash would hide the extension from it.
                return canonicalPath.endsWith("/") ? Optional.empty() : found;
            }
            if (!Files.isDirectory(joined)) {
                return found;
            }
            return regularFileUnder(realRoot, joined.resolve(INDEX).toRealPath());
        } catch (FileSystemException e) {
            // The root resolved above, so this is about the path asked for: missing, forbidden,
            // a loop, a file used as a directory (/app.js/x), a name too long. Only the first
            // three have exception classes of their own; all of them name no file.
            return Optional.empty();
        }
    }

    private static Optional<Found> regularFileUnder(Path realRoot, Path real) throws IOException {
        if (!real.startsWith(realRoot)) {
            return Optional.empty();
        }
        BasicFileAttributes attributes = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        // Only regular files: opening a FIFO would block the event loop, and a device is not an asset.
        if (!attributes.isRegularFile() || !Files.isReadable(real)) {
            return Optional.empty();
        }
        return Optional.of(new Found(real, attributes));
    }
}
