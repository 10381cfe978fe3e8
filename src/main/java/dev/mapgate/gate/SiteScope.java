package dev.mapgate.gate;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Which requests a {@link Site} covers: those for one of its hosts, under one of its path
 * prefixes. A scope without hosts covers every host; one without prefixes covers every path.
 *
 * <p>Hosts are compared as {@link Authority} normalises them (lower case, no trailing dot), so
 * {@code App.Example.com.} is {@code app.example.com}. {@code *.example.com} covers every name
 * below example.com, at any depth, but not example.com itself.
 *
 * <p>A prefix covers a folder: {@code /shop} and {@code /shop/} both cover {@code /shop/app.js.map}
 * and never {@code /shopping/}. It is compared with the canonical path ({@link RequestTarget})
 * ignoring case, as the gate's globs are: an origin on a case-insensitive file system serves
 * {@code /SHOP/app.js.map} from {@code /shop/}, so that request must be the shop's. Prefixes are
 * kept in Unicode NFKC form; {@link Sites} also compares each path's other readings with them.
 *
 * @param hosts        exact names and {@code *.}-wildcards, normalised; empty for every host
 * @param pathPrefixes folders, each starting and ending with {@code /}; empty for every path
 */
public record SiteScope(List<String> hosts, List<String> pathPrefixes) {

    /** Every request. */
    public static final SiteScope EVERYTHING = new SiteScope(List.of(), List.of());

    public SiteScope {
        hosts = List.copyOf(hosts);
        pathPrefixes = List.copyOf(pathPrefixes);
    }

    /**
     * @param hosts        as configured: {@code app.example.com}, {@code *.example.com}
     * @param pathPrefixes as configured: {@code /shop/} or {@code /shop}
     * @throws InvalidEntry naming the entry and its position in its list
     */
    public static SiteScope of(List<String> hosts, List<String> pathPrefixes) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < hosts.size(); i++) {
            String host = host(hosts.get(i), i);
            if (names.contains(host)) {
                throw new InvalidEntry(InvalidEntry.Field.HOST, i, hosts.get(i), "'" + hosts.get(i) + "' is listed twice");
            }
            names.add(host);
        }
        List<String> prefixes = new ArrayList<>();
        for (int i = 0; i < pathPrefixes.size(); i++) {
            String prefix = prefix(pathPrefixes.get(i), i);
            if (prefixes.stream().anyMatch(prefix::equalsIgnoreCase)) {
                throw new InvalidEntry(InvalidEntry.Field.PATH_PREFIX, i, pathPrefixes.get(i),
                        "'" + pathPrefixes.get(i) + "' is listed twice");
            }
            prefixes.add(prefix);
        }
        return new SiteScope(names, prefixes);
    }

    /** Whether {@code pattern} (a normalised entry of {@link #hosts}) is a wildcard. */
    static boolean isWildcard(String pattern) {
        return pattern.startsWith("*.");
    }

    /** Whether the normalised {@code host} is the exact name or below the wildcard {@code pattern}. */
    static boolean hostMatches(String pattern, String host) {
        if (!isWildcard(pattern)) {
            return pattern.equals(host);
        }
        int suffix = pattern.length() - 1;
        return host.length() > suffix && host.regionMatches(host.length() - suffix, pattern, 1, suffix);
    }

    /**
     * Whether the normalised {@code host} has an empty label ("app..example.com",
     * ".app.example.com", a second trailing dot): no host name has one, and an origin that drops it
     * would read a listed host where the selection rule saw another.
     */
    static boolean hasEmptyLabel(String host) {
        return host.startsWith(".") || host.endsWith(".") || host.contains("..");
    }

    /**
     * Whether {@code text[from, to)} holds a '~' and a digit, as an 8.3 alias does ("CHECKO~1"):
     * IIS on a volume with short names reads it as some long name, which only its file system knows.
     */
    static boolean hasShortNameMark(String text, int from, int to) {
        for (int i = from; i + 1 < to; i++) {
            if (text.charAt(i) == '~' && text.charAt(i + 1) >= '0' && text.charAt(i + 1) <= '9') {
                return true;
            }
        }
        return false;
    }

    /** Whether the canonical {@code path} is in the folder {@code prefix} (ignoring case). */
    static boolean pathMatches(String prefix, String path) {
        return path.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    private static String host(String text, int index) {
        boolean wildcard = text != null && text.startsWith("*.");
        String name = wildcard ? text.substring(2) : text;
        if (name != null && name.contains("*")) {
            throw new InvalidEntry(InvalidEntry.Field.HOST, index, text,
                    "'" + text + "' is not a host name: a wildcard may only be a leading '*.', as in *.example.com");
        }
        Authority authority;
        try {
            authority = Authority.parse(name);
        } catch (IllegalArgumentException e) {
            throw new InvalidEntry(InvalidEntry.Field.HOST, index, text,
                    "'" + text + "' is not a host name (" + e.getMessage() + ")");
        }
        String host = authority.host();
        if (hasEmptyLabel(host)) {
            // Sites refuses such a Host in a request, so a site listing one would judge nothing.
            throw new InvalidEntry(InvalidEntry.Field.HOST, index, text,
                    "'" + text + "' is not a host name: it has an empty label");
        }
        if (authority.port() >= 0) {
            throw new InvalidEntry(InvalidEntry.Field.HOST, index, text,
                    "'" + text + "' has a port: a site covers its hosts on every port, so write the name alone");
        }
        return wildcard ? "*." + host : host;
    }

    /**
     * The prefix as a folder ending in {@code /}. It must be a canonical path, as requests are
     * compared in their canonical form: a prefix with {@code %}, dot or empty segments or a
     * backslash would never match, which would leave the site's maps to the gate's own credentials.
     * Nor may it hold what some origins read otherwise ({@code ;}, {@code :}, an 8.3 alias), since
     * {@link Sites} refuses every request whose readings fall to different sites.
     */
    private static String prefix(String text, int index) {
        if (text == null || !text.startsWith("/")) {
            throw new InvalidEntry(InvalidEntry.Field.PATH_PREFIX, index, text,
                    "'" + text + "' must start with '/', as in /shop/");
        }
        // In NFKC form, as Sites also reads each path: an e and a combining accent, as some
        // editors save it, would never match the composed e-acute that browsers send and that
        // normalisation-insensitive origins (APFS) serve from the same folder.
        String normalised = Normalizer.normalize(text, Normalizer.Form.NFKC);
        String folder = normalised.endsWith("/") ? normalised : normalised + "/";
        if (folder.contains("//") || folder.contains("/./") || folder.contains("/../")) {
            throw new InvalidEntry(InvalidEntry.Field.PATH_PREFIX, index, text,
                    "'" + text + "' has an empty, '.' or '..' segment, which no request path has");
        }
        for (int i = 0; i < folder.length(); i++) {
            char c = folder.charAt(i);
            if (c < 0x21 || c == 0x7f || c == '%' || c == '?' || c == '#' || c == '\\') {
                throw new InvalidEntry(InvalidEntry.Field.PATH_PREFIX, index, text,
                        "'" + text + "' must be a plain path: no space, control character, '%', '?', '#' or '\\'"
                                + " (write characters as they are, not percent-encoded)");
            }
            if (c == ';' || c == ':') {
                throw new InvalidEntry(InvalidEntry.Field.PATH_PREFIX, index, text, "'" + text + "' has ';' or ':',"
                        + " where some origins cut a segment short (Tomcat, IIS), so no request under it could be judged");
            }
        }
        if (hasShortNameMark(folder, 0, folder.length())) {
            throw new InvalidEntry(InvalidEntry.Field.PATH_PREFIX, index, text, "'" + text + "' looks like an 8.3"
                    + " alias ('~' and a digit), which IIS reads as some long name; write the folder's long name");
        }
        return folder;
    }
}
