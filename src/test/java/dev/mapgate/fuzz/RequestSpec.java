package dev.mapgate.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One request of a case before it becomes bytes, so that mutations can work on its parts. Every
 * string holds bytes as ISO-8859-1 characters (one char per byte), so any byte can be written.
 */
final class RequestSpec {

    /** What the generator meant this request to get, before any mutation. */
    enum Expect {
        /** An existing map, read with a valid credential from an allowed address. */
        MAP,
        /** No map: an asset, a missing map, a denial, a refused method. */
        NO_MAP,
        /** A gated path after enough wrong credentials from the same address: 429. */
        THROTTLED,
        /** A map with a Basic password during its user's cool-down: served if it was verified before, else 429. */
        MAP_OR_THROTTLED
    }

    String method;
    String target;
    String version;
    final List<String> headerLines = new ArrayList<>();
    /** The body as it goes on the wire: chunked framing included. */
    String body = "";
    Expect expect = Expect.NO_MAP;

    RequestSpec(String method, String target, String version) {
        this.method = method;
        this.target = target;
        this.version = version;
    }

    void add(String name, String value) {
        headerLines.add(name + ": " + value);
    }

    /** Index of the first line for {@code name} (case-insensitive), or -1. */
    int indexOf(String name) {
        String prefix = name.toLowerCase(Locale.ROOT) + ":";
        for (int i = 0; i < headerLines.size(); i++) {
            if (headerLines.get(i).toLowerCase(Locale.ROOT).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    void removeAll(String name) {
        int i;
        while ((i = indexOf(name)) >= 0) {
            headerLines.remove(i);
        }
    }

    void set(String name, String value) {
        int i = indexOf(name);
        if (i >= 0) {
            headerLines.set(i, name + ": " + value);
        } else {
            add(name, value);
        }
    }

    boolean isChunked() {
        int i = indexOf("Transfer-Encoding");
        return i >= 0 && headerLines.get(i).toLowerCase(Locale.ROOT).endsWith("chunked");
    }

    String wire() {
        StringBuilder out = new StringBuilder(256 + body.length());
        out.append(method).append(' ').append(target).append(' ').append(version).append("\r\n");
        for (String line : headerLines) {
            out.append(line).append("\r\n");
        }
        return out.append("\r\n").append(body).toString();
    }
}
