package dev.mapgate.gate;

/** A configured Basic user with its bcrypt hash. {@link #toString()} never shows the hash. */
public record BasicUser(String name, String passwordHash) {

    /**
     * The rules for a user name, wherever it comes from: the config, an htpasswd file or
     * {@code mapgate hash-password --user}. A ':' would end the name early in a Basic credential
     * and in an htpasswd line.
     *
     * @throws IllegalArgumentException saying what is wrong with the name
     */
    public static void checkName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("Basic users: a user has a blank name");
        }
        if (name.indexOf(':') >= 0) {
            throw new IllegalArgumentException("Basic user '" + name + "': the name must not contain ':'");
        }
        if (name.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("Basic user '" + name.strip() + "': the name contains a control character");
        }
    }

    @Override
    public String toString() {
        return "BasicUser[name=" + name + ", passwordHash=<redacted>]";
    }
}
