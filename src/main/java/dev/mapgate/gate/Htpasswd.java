package dev.mapgate.gate;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** Reads Basic users from an Apache htpasswd file written with {@code htpasswd -B} (bcrypt). */
public final class Htpasswd {

    private Htpasswd() {
    }

    /**
     * Blank lines and lines starting with {@code #} are ignored; every other line is {@code user:hash}.
     * Messages name the source, line and user but never repeat a line, which may hold a password.
     *
     * @param sourceName where the lines came from, for messages (e.g. the file path)
     * @throws InvalidEntry for a malformed line (its index is the line number), a duplicate user or a hash that is not bcrypt
     */
    public static List<BasicUser> parse(List<String> lines, String sourceName) {
        Objects.requireNonNull(lines, "lines");
        List<BasicUser> users = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            String where = sourceName + " line " + (i + 1);
            if (line == null || line.isBlank() || line.strip().startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw bad(i, null, where + ": expected user:hash");
            }
            String user = line.substring(0, colon);
            String hash = line.substring(colon + 1).strip();
            if (user.isBlank()) {
                throw bad(i, null, where + ": the user name is empty");
            }
            if (!names.add(user)) {
                throw bad(i, user, where + ": user '" + user + "' appears twice");
            }
            if (!BcryptHashes.isValid(hash)) {
                throw bad(i, user, where + ": user '" + user + "' has a password hash that is not"
                        + " bcrypt; only bcrypt is accepted (create it with htpasswd -B)");
            }
            users.add(new BasicUser(user, hash));
        }
        return List.copyOf(users);
    }

    private static InvalidEntry bad(int lineIndex, String user, String message) {
        return new InvalidEntry(InvalidEntry.Field.HTPASSWD_LINE, lineIndex + 1, user, message);
    }
}
