package dev.mapgate.verify;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * Decodes a {@code data:} URL as Sentry does for an inline source map (the WHATWG rules its
 * {@code data_url} crate implements): the body after the first comma is percent-decoded, and
 * base64-decoded too when the media type ends in {@code ;base64}. Base64 is read forgivingly:
 * whitespace is ignored and padding may be missing, but a stray {@code =} is an error.
 */
public final class DataUrl {

    private DataUrl() {}

    public static boolean isDataUrl(String reference) {
        return reference.regionMatches(true, 0, "data:", 0, 5);
    }

    /** The decoded bytes, or an {@link IllegalArgumentException} saying what is wrong. */
    public static byte[] decode(String url) {
        if (!isDataUrl(url)) {
            throw new IllegalArgumentException("not a data: URL");
        }
        int comma = url.indexOf(',', 5);
        if (comma < 0) {
            throw new IllegalArgumentException("a data: URL needs a comma before its data");
        }
        String mediaType = url.substring(5, comma).strip();
        byte[] body = percentDecode(url.substring(comma + 1));
        if (!isBase64(mediaType)) {
            return body;
        }
        return forgivingBase64(new String(body, StandardCharsets.ISO_8859_1));
    }

    private static boolean isBase64(String mediaType) {
        int semicolon = mediaType.lastIndexOf(';');
        return semicolon >= 0 && mediaType.substring(semicolon + 1).strip().toLowerCase(Locale.ROOT).equals("base64");
    }

    private static byte[] percentDecode(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        int i = 0;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < text.length() && hex(text.charAt(i + 1)) >= 0 && hex(text.charAt(i + 2)) >= 0) {
                out.write(hex(text.charAt(i + 1)) * 16 + hex(text.charAt(i + 2)));
                i += 3;
            } else {
                int codePoint = text.codePointAt(i);
                out.writeBytes(new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8));
                i += Character.charCount(codePoint);
            }
        }
        return out.toByteArray();
    }

    private static int hex(char c) {
        return Character.digit(c, 16);
    }

    private static byte[] forgivingBase64(String text) {
        StringBuilder data = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!MapReference.isAsciiWhitespace(c)) {
                data.append(c);
            }
        }
        if (data.length() % 4 == 0) {
            for (int trimmed = 0; trimmed < 2 && data.length() > 0 && data.charAt(data.length() - 1) == '='; trimmed++) {
                data.setLength(data.length() - 1);
            }
        }
        if (data.length() % 4 == 1) {
            throw new IllegalArgumentException("the base64 data has a length no encoder produces");
        }
        for (int i = 0; i < data.length(); i++) {
            char c = data.charAt(i);
            boolean alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
            if (!alphabet) {
                throw new IllegalArgumentException("the base64 data holds '" + c + "' at position " + i);
            }
        }
        return Base64.getDecoder().decode(data.toString());
    }
}
