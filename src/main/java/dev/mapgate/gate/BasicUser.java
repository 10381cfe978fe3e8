package dev.mapgate.gate;

/** A configured Basic user with its bcrypt hash. {@link #toString()} never shows the hash. */
public record BasicUser(String name, String passwordHash) {
    @Override
    public String toString() {
        return "BasicUser[name=" + name + ", passwordHash=<redacted>]";
    }
}
