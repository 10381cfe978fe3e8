package dev.mapgate.gate;

/** A configured Basic user with its bcrypt hash. {@link #toString()} never shows the hash. */
public record BasicUser(String name, String passwordHash) {

    /**
     * The rules for a user name, wherever it comes from: the config, an htpasswd file or
     * {@code mapgate hash-password --user}. A ':' would end the name early in a Basic credential
     * and in an htpasswd line.
     *
     * @throws InvalidEntry saying what is wrong with the name
     */
    public static void checkName(String name) {
        checkName(name, -1);
    }

    /** As {@link #checkName(String)} for the user at {@code index} of a list. */
    static void checkName(String name, int index) {
        if (name == null || name.isBlank()) {
            throw new InvalidEntry(InvalidEntry.Field.USER_NAME, index, null, "Basic users: a user has a blank name");
        }
        if (name.indexOf(':') >= 0) {
            throw new InvalidEntry(InvalidEntry.Field.USER_NAME, index, name,
                    "Basic user '" + name + "': the name must not contain ':'");
        }
        if (name.chars().anyMatch(Character::isISOControl)) {
            throw new InvalidEntry(InvalidEntry.Field.USER_NAME, index, name.strip(),
                    "Basic user '" + name.strip() + "': the name contains a control character");
        }
    }

    @Override
    public String toString() {
        return "BasicUser[name=" + name + ", passwordHash=<redacted>]";
    }
}
