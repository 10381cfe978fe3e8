package dev.mapgate.gate;

/** A configured security token. {@link #toString()} never shows the value. */
public record Token(String name, String value) {
    @Override
    public String toString() {
        return "Token[name=" + name + ", value=<redacted>]";
    }
}
