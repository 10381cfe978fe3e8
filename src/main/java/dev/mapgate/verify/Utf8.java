package dev.mapgate.verify;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;

/** Sentry reads every fetched file as UTF-8 and gives up on one that is not. */
public final class Utf8 {

    private Utf8() {}

    /** The offset of the first byte that is not valid UTF-8, or empty when all of it is. */
    public static OptionalLong firstInvalidByte(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(8192);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                return OptionalLong.of(in.position());
            }
            if (result.isUnderflow()) {
                break;
            }
            out.clear();
        }
        CoderResult end = decoder.flush(out.clear());
        return end.isError() ? OptionalLong.of(in.position()) : OptionalLong.empty();
    }
}
