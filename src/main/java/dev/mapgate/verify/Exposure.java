package dev.mapgate.verify;

import java.util.Arrays;

/**
 * Judges what a URL gives to a request without the credential: anyone on the internet could send
 * it. The map's bytes (or any valid source map) in a 2xx means the source is public. Another 2xx,
 * such as a single-page app's index.html fallback, leaks nothing but hides the refusal.
 */
public final class Exposure {

    private Exposure() {}

    /**
     * @param authorised the decoded body served with the credential, or {@code null} if there is none
     * @param anonymous  the decoded body served without it, or {@code null} if it could not be read
     */
    public static CheckResult judge(String name, String url, int status, byte[] authorised, byte[] anonymous,
            String contentType) {
        if (status < 200 || status > 299) {
            return CheckResult.ok(name, url, status, "refused without the credential (" + status + ")");
        }
        if (anonymous != null && authorised != null && Arrays.equals(anonymous, authorised)) {
            return CheckResult.fail(name, url, status, "served the map (" + Sizes.human(anonymous.length)
                    + ", the same bytes) to a request without the credential: your source is public");
        }
        if (anonymous != null && isSourceMap(anonymous)) {
            return CheckResult.fail(name, url, status, "served a source map to a request without the credential: "
                    + "your source is public");
        }
        String body = anonymous == null ? "a body verify could not read"
                : Sizes.human(anonymous.length) + (contentType == null ? "" : " of " + contentType);
        return CheckResult.warn(name, url, status, "answered " + status + " without the credential, but not with the "
                + "map (" + body + "); likely a fallback page. Nothing leaks, but a 404 makes the refusal plain");
    }

    private static boolean isSourceMap(byte[] body) {
        try {
            SourceMapV3.parse(body);
            return true;
        } catch (SourceMapV3.InvalidMap e) {
            return false;
        }
    }
}
