package dev.mapgate.gate;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.IllegalBCryptFormatException;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/** Recognises the bcrypt hashes the gate accepts: {@code $2a$}, {@code $2b$} and {@code $2y$}, cost 4 to 31. */
final class BcryptHashes {

    static final int MIN_COST = 4;
    static final int MAX_COST = 31;

    // The library's parser checks length and encoding but not the cost range or the exact prefix.
    private static final Pattern FORMAT = Pattern.compile("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}");

    private BcryptHashes() {
    }

    static boolean isValid(String hash) {
        if (hash == null || !FORMAT.matcher(hash).matches()) {
            return false;
        }
        int cost = cost(hash);
        if (cost < MIN_COST || cost > MAX_COST) {
            return false;
        }
        try {
            BCrypt.Version.VERSION_2A.parser.parse(hash.getBytes(StandardCharsets.US_ASCII));
            return true;
        } catch (IllegalBCryptFormatException e) {
            return false;
        }
    }

    /** The cost of a hash that {@link #isValid} accepted. */
    static int cost(String hash) {
        return (hash.charAt(4) - '0') * 10 + (hash.charAt(5) - '0');
    }
}
