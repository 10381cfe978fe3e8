package dev.mapgate.verify;

import java.util.Locale;

/** Byte counts as a person reads them. */
final class Sizes {

    static final long KIB = 1024;
    static final long MIB = 1024 * KIB;

    private Sizes() {}

    static String human(long bytes) {
        if (bytes < KIB) {
            return bytes + " B";
        }
        if (bytes < MIB) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / (double) KIB);
        }
        if (bytes < 1024 * MIB) {
            return String.format(Locale.ROOT, "%.1f MiB", bytes / (double) MIB);
        }
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1024 * MIB));
    }
}
