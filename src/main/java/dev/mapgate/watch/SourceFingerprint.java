package dev.mapgate.watch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a set of watched files held when they were last read: a digest of each file's bytes. The
 * one way mapgate tells that a file changed, for the config and its token files as for the TLS
 * pair. Contents rather than modification times, because Kubernetes updates a mounted ConfigMap or
 * Secret by swapping a symlink (the file's own mtime may not change), and because an editor
 * that saves the same bytes should not cause a reload.
 */
public record SourceFingerprint(Map<Path, String> digests) {

    private static final String MISSING = "missing";
    private static final String UNREADABLE = "unreadable";

    public SourceFingerprint {
        digests = Map.copyOf(digests);
    }

    /** Reads every file now. A missing or unreadable file gets a marker, so its return counts as a change too. */
    public static SourceFingerprint of(List<Path> files) {
        Map<Path, String> digests = new LinkedHashMap<>();
        for (Path file : files) {
            digests.put(file, digest(file));
        }
        return new SourceFingerprint(digests);
    }

    /**
     * The digests of bytes already read, for a reader that must fingerprint exactly what it
     * parses (a file read twice could change in between).
     */
    public static SourceFingerprint ofContents(Map<Path, byte[]> contents) {
        Map<Path, String> digests = new LinkedHashMap<>();
        contents.forEach((file, bytes) -> digests.put(file, digest(bytes)));
        return new SourceFingerprint(digests);
    }

    /** The files whose digest differs between the two, in no particular order. */
    public List<Path> changedSince(SourceFingerprint earlier) {
        return digests.keySet().stream()
                .filter(file -> !digests.get(file).equals(earlier.digests.get(file)))
                .toList();
    }

    /**
     * The same files, each with {@code earlier}'s digest where {@code earlier} has one. For what a
     * load read: digests taken before it began, so that bytes written while it ran count as a change.
     */
    public SourceFingerprint preferring(SourceFingerprint earlier) {
        Map<Path, String> merged = new LinkedHashMap<>();
        digests.forEach((file, digest) -> merged.put(file, earlier.digests.getOrDefault(file, digest)));
        return new SourceFingerprint(merged);
    }

    private static String digest(Path file) {
        try {
            return digest(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return MISSING;
        } catch (IOException e) {
            return UNREADABLE;
        }
    }

    private static String digest(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
