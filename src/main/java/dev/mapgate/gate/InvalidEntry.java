package dev.mapgate.gate;

/**
 * A configured entry the gate cannot accept. It says which entry (its position in the list it
 * came in, and a name, glob or address that is safe to show) and which of the entry's fields is
 * wrong, so that whoever read the entry from a file can name the place; the message is plain
 * words about the entry and never holds a secret (token value, password hash).
 */
public final class InvalidEntry extends IllegalArgumentException {

    /** Which part of an entry is wrong. */
    public enum Field {
        TOKEN_NAME, TOKEN_VALUE, USER_NAME, PASSWORD_HASH, GLOB, ADDRESS, HOST, HEADER, CHECKS, HTPASSWD_LINE,
        SITE_NAME, PATH_PREFIX
    }

    private final int index;
    private final String entry;
    private final Field field;

    /**
     * @param index position of the entry in the list given to the gate, or -1 when there is no list
     * @param entry what identifies the entry (token or user name, glob, address text); never a secret
     */
    public InvalidEntry(Field field, int index, String entry, String message) {
        super(message);
        this.field = field;
        this.index = index;
        this.entry = entry;
    }

    public Field field() {
        return field;
    }

    /** Position of the entry in the list it came in, or -1. */
    public int index() {
        return index;
    }

    public String entry() {
        return entry;
    }
}
