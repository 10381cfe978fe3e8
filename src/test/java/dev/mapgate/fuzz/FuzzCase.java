package dev.mapgate.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One connection's worth of input: who connects, in which setup, the bytes it sends and how they
 * are cut into writes. {@code requests} and their expectations describe the bytes before
 * mutation; {@code mutations} says what was then done to them (empty: the bytes are the seed).
 */
record FuzzCase(int index, Setup setup, String peer, byte[] bytes, int[] writes, List<RequestSpec> requests,
                List<String> mutations) {

    /** How much of the input a failure report shows. */
    private static final int SHOWN_BYTES = 4000;

    boolean mutated() {
        return !mutations.isEmpty();
    }

    /** A case given by its bytes, e.g. a regression kept from a fuzz run. */
    static FuzzCase replay(Setup setup, String peer, String wire, int... writes) {
        byte[] bytes = wire.getBytes(StandardCharsets.ISO_8859_1);
        int[] cuts = writes.length == 0 ? new int[] {bytes.length} : writes;
        int sum = 0;
        for (int w : cuts) {
            sum += w;
        }
        if (sum != bytes.length) {
            throw new IllegalArgumentException("writes add up to " + sum + " bytes, the input has " + bytes.length);
        }
        return new FuzzCase(-1, setup, peer, bytes, cuts, List.of(), List.of("replayed"));
    }

    /** A case given by its bytes, written {@code piece} bytes at a time. */
    static FuzzCase replayInPieces(Setup setup, String peer, String wire, int piece) {
        int length = wire.length();
        int[] writes = new int[(length + piece - 1) / piece];
        for (int i = 0; i < writes.length; i++) {
            writes[i] = Math.min(piece, length - i * piece);
        }
        return replay(setup, peer, wire, writes);
    }

    /** The case as a Java expression for {@link FuzzRegressionsTest}. */
    String asReplay() {
        boolean even = writes.length > 1;
        for (int i = 0; i < writes.length - 1; i++) {
            even &= writes[i] == writes[0];
        }
        StringBuilder out = new StringBuilder(even ? "FuzzCase.replayInPieces(Setup." : "FuzzCase.replay(Setup.")
                .append(setup).append(", \"").append(peer)
                .append("\",\n        \"").append(escape(bytes, Integer.MAX_VALUE)).append('"');
        if (even) {
            out.append(", ").append(writes[0]);
        } else if (writes.length > 1) {
            for (int w : writes) {
                out.append(", ").append(w);
            }
        }
        return out.append(')').toString();
    }

    String describe() {
        return "setup=" + setup + " peer=" + peer + " bytes=" + bytes.length + " writes=" + writes.length
                + " mutations=" + mutations + "\n  input: \"" + escape(bytes, SHOWN_BYTES) + "\"";
    }

    /** Java string-literal escaping of bytes read as ISO-8859-1. */
    static String escape(byte[] bytes, int max) {
        StringBuilder out = new StringBuilder(Math.min(bytes.length, max) + 32);
        for (int i = 0; i < bytes.length && i < max; i++) {
            int b = bytes[i] & 0xff;
            switch (b) {
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (b < 0x20 || b >= 0x7f) {
                        out.append(String.format("\\u%04x", b));
                    } else {
                        out.append((char) b);
                    }
                }
            }
        }
        if (bytes.length > max) {
            out.append("...(").append(bytes.length - max).append(" more bytes)");
        }
        return out.toString();
    }
}
