package dev.mapgate.verify;

import dev.mapgate.guard.SourceMapSniffer;
import dev.mapgate.verify.Fetched.RangeOutcome;
import dev.mapgate.verify.Fetched.Redirect;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Runs the checks of {@code mapgate verify} in order and collects one {@link CheckResult} per
 * check. The decisions are made by the small classes beside it; this class does the fetching and
 * puts the answers together.
 */
public final class Verifier {

    /** The checklist's order: what Sentry gets, then what anyone gets, then the warnings. */
    static final List<String> ORDER = List.of("js", "map-reference", "inline-map", "map", "site", "sources",
            "map-without-credential", "siblings-without-credential", "sources-without-credential", "caching",
            "versioned-url", "ipv4", "redirects");

    /**
     * Names under which a copy of the map is often served beside it: precompressed by a build or
     * compression plugin, or left behind as a backup. mapgate gates them (gate.sibling-names);
     * another gatekeeper may not.
     */
    static final List<String> SIBLING_SUFFIXES = List.of(".gz", ".br", ".zst", "~", ".bak", ".orig", ".old", ".txt",
            ".json");

    /**
     * The header by which mapgate names the site that allowed a credential (gate.Site.HEADER,
     * written out so that verify, which also checks other gatekeepers, needs nothing of the gate).
     */
    static final String SITE_HEADER = "Mapgate-Site";

    /** How many original sources without sourcesContent are fetched at most. */
    static final int MAX_SOURCES_CHECKED = 20;

    /** Looks up a host's addresses: for the IPv4 check, and to tell an unknown host from a refused connection. */
    @FunctionalInterface
    public interface Resolver {
        List<InetAddress> resolve(String host) throws UnknownHostException;

        static Resolver system() {
            return host -> List.of(InetAddress.getAllByName(host));
        }
    }

    private final SentryFetcher fetcher;
    private final Resolver resolver;
    private final String expectedSite;

    public Verifier(SentryFetcher fetcher, Resolver resolver) {
        this(fetcher, resolver, null);
    }

    /** @param expectedSite the mapgate site the map must be served by, or {@code null} for any */
    public Verifier(SentryFetcher fetcher, Resolver resolver, String expectedSite) {
        this.fetcher = fetcher;
        this.resolver = resolver;
        this.expectedSite = expectedSite;
    }

    public Report verify(String input, Credential credential) throws CannotVerify {
        URI jsUrl = parseInput(input);
        Run run = new Run(jsUrl, credential);
        run.resolveOrStop(jsUrl.getHost());
        Fetched js;
        try {
            js = fetcher.get(jsUrl, credential, true);
        } catch (FetchException e) {
            throw new CannotVerify(e.getMessage());
        }
        if (!js.isSuccess()) {
            throw new CannotVerify(jsUrl + " answered " + js.status() + " (after " + js.redirects().size()
                    + " redirects) to a request with the credential; Sentry needs 200 or 206 for the JavaScript file first");
        }
        run.mapAndChecks(js);
        run.warnings(js);
        run.checks.sort(Comparator.comparingInt(check -> ORDER.indexOf(check.name())));
        return new Report(jsUrl.toString(), run.checks);
    }

    /** An absolute http(s) URL; its fragment dropped, as it never reaches a server. */
    static URI parseInput(String input) throws CannotVerify {
        URI uri;
        try {
            uri = new URI(input.strip());
        } catch (URISyntaxException e) {
            throw new CannotVerify("not a URL: \"" + input + "\" (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new CannotVerify("not an http or https URL: \"" + input + "\"; give the URL of a deployed JavaScript file");
        }
        if (uri.getHost() == null) {
            throw new CannotVerify("no host in \"" + input + "\"");
        }
        return uri.getRawFragment() == null ? uri : withoutFragment(uri);
    }

    private static URI withoutFragment(URI uri) {
        String text = uri.toString();
        int hash = text.indexOf('#');
        return hash < 0 ? uri : URI.create(text.substring(0, hash));
    }

    /** The state of one run: checks so far and the addresses of every host seen. */
    private final class Run {
        private final URI jsUrl;
        private final Credential credential;
        private final List<CheckResult> checks = new ArrayList<>();
        private final Map<String, List<InetAddress>> addresses = new LinkedHashMap<>();
        private final List<Fetched> credentialFetches = new ArrayList<>();

        Run(URI jsUrl, Credential credential) {
            this.jsUrl = jsUrl;
            this.credential = credential;
        }

        void resolveOrStop(String host) throws CannotVerify {
            try {
                addresses.put(host.toLowerCase(Locale.ROOT), resolver.resolve(host));
            } catch (UnknownHostException e) {
                throw new CannotVerify("no such host: " + host);
            }
        }

        /** Resolves for the IPv4 check; a host that does not resolve fails its own fetch instead. */
        void resolveQuietly(String host) {
            String key = host.toLowerCase(Locale.ROOT);
            if (!addresses.containsKey(key)) {
                try {
                    addresses.put(key, resolver.resolve(host));
                } catch (UnknownHostException e) {
                    addresses.put(key, null);
                }
            }
        }

        void mapAndChecks(Fetched js) throws CannotVerify {
            credentialFetches.add(js);
            js.redirects().forEach(r -> resolveQuietly(r.to().getHost()));
            String url = jsUrl.toString();
            String text;
            if (js.problem() != null) {
                checks.add(CheckResult.fail("js", url, js.status(), "cannot read it: " + js.problem()));
                return;
            }
            OptionalLong invalid = Utf8.firstInvalidByte(js.body());
            if (invalid.isPresent()) {
                checks.add(CheckResult.fail("js", url, js.status(), "not valid UTF-8 at byte " + invalid.getAsLong()
                        + "; Sentry only reads UTF-8"));
            } else {
                checks.add(CheckResult.ok("js", url, js.status(), describeBody(js)));
            }
            text = new String(js.body(), StandardCharsets.UTF_8);

            Optional<String> found = MapReference.find(text);
            if (found.isEmpty()) {
                throw new CannotVerify(url + " has no \"//# sourceMappingURL=\" comment, so Sentry finds no map for it;"
                        + " make your bundler write one (or upload the maps to Sentry instead)");
            }
            String reference = found.get();
            if (reference.isEmpty()) {
                throw new CannotVerify(url + " has an empty \"//# sourceMappingURL=\" comment");
            }
            if (DataUrl.isDataUrl(reference)) {
                inlineMap(js, reference);
            } else {
                if (MapReference.hasInlineMap(text)) {
                    // Sentry follows the last reference, but the earlier inline map is in the file all the same.
                    checks.add(CheckResult.fail("inline-map", url, js.status(), "the file also holds an inline"
                            + " data: source map, before the reference Sentry follows: whoever can fetch the JavaScript"
                            + " can read that source. Drop the inline map from the build"));
                }
                remoteMap(js, reference);
            }
        }

        private void inlineMap(Fetched js, String reference) {
            String url = jsUrl.toString();
            byte[] map;
            try {
                map = DataUrl.decode(reference);
            } catch (IllegalArgumentException e) {
                checks.add(CheckResult.ok("map-reference", null, null, "inline data: URL"));
                checks.add(CheckResult.fail("map", null, null, "the inline data: URL cannot be decoded: " + e.getMessage()));
                notChecked("the inline map cannot be read");
                return;
            }
            checks.add(CheckResult.ok("map-reference", null, null, "inline data: URL (" + Sizes.human(map.length)
                    + "); Sentry needs no request for it"));
            SourceMapV3.Parsed parsed = validateMap("map", null, null, map, "inline map");
            sources(parsed, url);
            // The map is in the JavaScript itself: it is exactly as public as the JavaScript.
            Fetched anonymous = fetchAnonymously(jsUrl);
            if (anonymous == null || anonymous.status() < 200 || anonymous.status() > 299) {
                checks.add(CheckResult.ok("map-without-credential", url, anonymous == null ? null : anonymous.status(),
                        "inline map; the JavaScript file itself is refused without the credential"));
            } else {
                checks.add(CheckResult.fail("map-without-credential", url, anonymous.status(),
                        "inline map: it is inside the JavaScript file, so whoever can fetch the file can read the"
                                + " source; mapgate cannot gate it. Emit a separate .map file to keep it private"));
            }
            checks.add(CheckResult.ok("caching", null, null, "not applicable: the map is inline"));
        }

        private void remoteMap(Fetched js, String reference) {
            String joined = SentryPaths.join(jsUrl.toString(), reference);
            String how = "\"" + reference + "\" resolved against the JavaScript URL"
                    + (js.redirects().isEmpty() ? "" : " (the one Sentry asked for, not the redirect target)");
            URI mapUrl;
            try {
                mapUrl = new URI(joined);
            } catch (URISyntaxException e) {
                checks.add(CheckResult.fail("map-reference", joined, null, how + " gives a string that is not a URL"));
                notChecked("no map URL");
                return;
            }
            String scheme = mapUrl.getScheme() == null ? "" : mapUrl.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || mapUrl.getHost() == null) {
                checks.add(CheckResult.fail("map-reference", joined, null, how + " gives a URL Sentry cannot fetch"));
                notChecked("no fetchable map URL");
                return;
            }
            checks.add(CheckResult.ok("map-reference", joined, null, how));
            resolveQuietly(mapUrl.getHost());

            Fetched map = null;
            try {
                map = fetcher.get(mapUrl, credential, true);
            } catch (FetchException e) {
                checks.add(CheckResult.fail("map", joined, null, e.getMessage()));
            }
            SourceMapV3.Parsed parsed = null;
            byte[] mapBytes = null;
            if (map == null) {
                // Already reported.
            } else if (!map.isSuccess()) {
                checks.add(CheckResult.fail("map", joined, map.status(), refusedWithCredential(map) + withheldNote(map)));
            } else if (map.problem() != null) {
                checks.add(CheckResult.fail("map", joined, map.status(), "cannot read it: " + map.problem()));
            } else {
                mapBytes = map.body();
                parsed = validateMap("map", joined, map, mapBytes, describeBody(map));
                site(map, joined);
            }
            if (map != null) {
                credentialFetches.add(map);
                map.redirects().forEach(r -> resolveQuietly(r.to().getHost()));
            }
            sources(parsed, joined);

            Fetched anonymous = fetchAnonymously(mapUrl);
            if (anonymous == null) {
                checks.add(CheckResult.warn("map-without-credential", joined, null,
                        "could not fetch it without the credential either; see the lines above"));
            } else {
                checks.add(Exposure.judge("map-without-credential", joined, anonymous.status(), mapBytes,
                        anonymous.body(), anonymous.contentType()));
            }
            siblingsWithoutCredential(mapUrl, mapBytes);
            if (map != null && map.isSuccess()) {
                checks.add(CachePolicy.judge("caching", joined, map.status(), map.headers()));
            } else {
                checks.add(CheckResult.warn("caching", joined, map == null ? null : map.status(),
                        "not checked: the map was not served with the credential"));
            }
        }

        /**
         * Which of mapgate's sites served the map with the credential, as its {@code Mapgate-Site}
         * header says; the header is absent when mapgate's own gate settings (no site) allowed it,
         * or when no mapgate answered.
         */
        private void site(Fetched map, String url) {
            String site = map.headers().firstValue(SITE_HEADER).orElse(null);
            if (expectedSite != null && !expectedSite.equals(site)) {
                checks.add(CheckResult.fail("site", url, map.status(), site == null
                        ? "expected mapgate's site '" + expectedSite + "', but the response names no site: mapgate's"
                                + " own gate settings allowed it (no site covers this URL), or no mapgate answered"
                        : "expected mapgate's site '" + expectedSite + "', but site '" + site + "' answered: that"
                                + " site covers this URL (check its hosts and path-prefixes)"));
            } else if (site != null) {
                checks.add(CheckResult.ok("site", url, map.status(), "mapgate's site '" + site
                        + "' served the map to this credential"));
            }
        }

        /** Validates a map's bytes; on success records an ok line and returns the parsed map. */
        private SourceMapV3.Parsed validateMap(String name, String url, Fetched fetched, byte[] bytes, String described) {
            Integer status = fetched == null ? null : fetched.status();
            OptionalLong invalid = Utf8.firstInvalidByte(bytes);
            if (invalid.isPresent()) {
                checks.add(CheckResult.fail(name, url, status, "not valid UTF-8 at byte " + invalid.getAsLong()
                        + "; Sentry only reads UTF-8"));
                return null;
            }
            SourceMapV3.Parsed parsed;
            try {
                parsed = SourceMapV3.parse(bytes);
            } catch (SourceMapV3.InvalidMap e) {
                checks.add(CheckResult.fail(name, url, status, "not a source map Sentry can read: " + e.getMessage()));
                return null;
            }
            String what = (parsed.index() ? "valid index map v3, " : "valid source map v3, ")
                    + parsed.sources().size() + (parsed.sources().size() == 1 ? " source; " : " sources; ") + described;
            Optional<String> rangeWarning = fetched == null ? Optional.empty() : rangeWarning(fetched);
            checks.add(rangeWarning.isPresent()
                    ? CheckResult.warn(name, url, status, what + "; " + rangeWarning.get())
                    : CheckResult.ok(name, url, status, what));
            return parsed;
        }

        private void sources(SourceMapV3.Parsed parsed, String base) {
            if (parsed == null) {
                checks.add(CheckResult.warn("sources", null, null, "not checked: no readable map"));
                checks.add(CheckResult.ok("sources-without-credential", null, null, "nothing to check"));
                return;
            }
            List<SourceMapV3.Source> missing = parsed.withoutContent();
            if (missing.isEmpty()) {
                checks.add(CheckResult.ok("sources", null, null, parsed.sources().isEmpty()
                        ? "the map lists no sources"
                        : "every source is embedded in sourcesContent; Sentry needs no other file"));
                checks.add(CheckResult.ok("sources-without-credential", null, null,
                        "nothing to check: no source is served on its own"));
                return;
            }
            Set<String> urls = new LinkedHashSet<>();
            missing.forEach(s -> urls.add(SentryPaths.join(base, s.name())));
            List<String> toCheck = urls.stream().limit(MAX_SOURCES_CHECKED).toList();
            String notChecked = urls.size() > toCheck.size() ? "; " + (urls.size() - toCheck.size()) + " more not checked" : "";

            List<String> failures = new ArrayList<>();
            Set<String> withheld = new LinkedHashSet<>();
            Map<URI, byte[]> fetchedSources = new LinkedHashMap<>();
            Integer lastStatus = null;
            for (String source : toCheck) {
                URI url = httpUrl(source);
                if (url == null) {
                    failures.add(source + ": not an http(s) URL Sentry can fetch");
                    continue;
                }
                resolveQuietly(url.getHost());
                Fetched fetched;
                try {
                    fetched = fetcher.get(url, credential, true);
                } catch (FetchException e) {
                    failures.add(source + ": " + e.getMessage());
                    continue;
                }
                lastStatus = fetched.status();
                if (fetched.credentialWithheld()) {
                    withheld.add(url.getHost());
                }
                if (!fetched.isSuccess()) {
                    failures.add(source + ": " + fetched.status() + withheldNote(fetched));
                } else if (fetched.problem() != null) {
                    failures.add(source + ": " + fetched.problem());
                } else if (Utf8.firstInvalidByte(fetched.body()).isPresent()) {
                    failures.add(source + ": not valid UTF-8");
                } else {
                    fetchedSources.put(url, fetched.body());
                }
            }
            String counted = toCheck.size() + " of the " + missing.size() + " sources without sourcesContent"
                    + (withheld.isEmpty() ? "" : " (without the credential from " + String.join(", ", withheld)
                            + ", which is not the verified host; --credential-host sends it there)");
            if (failures.isEmpty()) {
                checks.add(CheckResult.ok("sources", null, lastStatus, "fetched " + counted + notChecked));
            } else {
                checks.add(CheckResult.fail("sources", null, null, failures.size() + " of " + counted
                        + " cannot be fetched, so Sentry shows no source context for them: "
                        + String.join("; ", failures.stream().limit(3).toList())
                        + (failures.size() > 3 ? "; ..." : "") + notChecked
                        + ". Embed sourcesContent, or serve the sources beside the map"));
            }
            sourcesWithoutCredential(fetchedSources);
        }

        private void sourcesWithoutCredential(Map<URI, byte[]> fetchedSources) {
            if (fetchedSources.isEmpty()) {
                checks.add(CheckResult.ok("sources-without-credential", null, null, "nothing to check: no source was fetched"));
                return;
            }
            List<String> exposed = new ArrayList<>();
            for (Map.Entry<URI, byte[]> source : fetchedSources.entrySet()) {
                Fetched anonymous = fetchAnonymously(source.getKey());
                if (anonymous != null && anonymous.status() >= 200 && anonymous.status() <= 299
                        && java.util.Arrays.equals(anonymous.body(), source.getValue())) {
                    exposed.add(source.getKey().toString());
                }
            }
            if (exposed.isEmpty()) {
                checks.add(CheckResult.ok("sources-without-credential", null, null,
                        "each fetched source is refused without the credential"));
            } else {
                checks.add(CheckResult.fail("sources-without-credential", exposed.get(0), null, exposed.size() + " of "
                        + fetchedSources.size() + " original sources are served without the credential: your source is"
                        + " public. Add their paths to gate.paths, or embed sourcesContent and stop serving them"));
            }
        }

        /**
         * Each of {@link #SIBLING_SUFFIXES} after the map's URL, fetched as anyone would. A sibling
         * that answers with the map, as sent or once decoded by its extension, or with any other
         * source map, exposes the source however well the map itself is gated.
         */
        private void siblingsWithoutCredential(URI mapUrl, byte[] mapBytes) {
            List<String> exposed = new ArrayList<>();
            for (String suffix : SIBLING_SUFFIXES) {
                // From the raw parts: the map's path stays encoded exactly as it was, and every
                // suffix is legal in a path.
                URI sibling = URI.create(mapUrl.getScheme() + "://" + mapUrl.getRawAuthority() + mapUrl.getRawPath() + suffix);
                Fetched anonymous = fetchAnonymously(sibling);
                if (anonymous != null && anonymous.status() >= 200 && anonymous.status() <= 299 && anonymous.body() != null
                        && isTheMap(anonymous.body(), suffix, mapBytes)) {
                    exposed.add(sibling.toString());
                }
            }
            if (exposed.isEmpty()) {
                checks.add(CheckResult.ok("siblings-without-credential", null, null, "none of "
                        + String.join(" ", SIBLING_SUFFIXES) + " after the map's name serves it without the credential"));
            } else {
                checks.add(CheckResult.fail("siblings-without-credential", exposed.get(0), 200, exposed.size()
                        + " copies of the map are served without the credential: " + String.join(", ", exposed)
                        + ". Delete them from the deployed files, or gate their names (mapgate does by default:"
                        + " gate.sibling-names)"));
            }
        }

        private boolean isTheMap(byte[] body, String suffix, byte[] mapBytes) {
            byte[] decoded = body;
            String coding = switch (suffix) {
                case ".gz" -> "gzip";
                case ".br" -> "br";
                case ".zst" -> "zstd";
                default -> null;
            };
            if (coding != null && !SourceMapSniffer.isMap(body)) {
                try {
                    decoded = ContentDecoding.decode(coding, body, fetcher.effectiveMaxBody());
                } catch (ContentDecoding.DecodingException notThatCoding) {
                    decoded = body;
                }
            }
            return mapBytes != null && java.util.Arrays.equals(decoded, mapBytes) || SourceMapSniffer.isMap(decoded);
        }

        private static String withheldNote(Fetched fetched) {
            return fetched.credentialWithheld() ? " (the credential was not sent: " + fetched.finalUrl().getHost()
                    + " is not the verified host; --credential-host " + fetched.finalUrl().getHost() + " sends it there)" : "";
        }

        /** A fetch without the credential; {@code null} when it got no HTTP answer at all. */
        private Fetched fetchAnonymously(URI url) {
            try {
                return fetcher.get(url, null, false);
            } catch (FetchException e) {
                return null;
            }
        }

        private void notChecked(String why) {
            checks.add(CheckResult.warn("sources", null, null, "not checked: " + why));
            checks.add(CheckResult.ok("sources-without-credential", null, null, "nothing to check"));
            checks.add(CheckResult.warn("map-without-credential", null, null, "not checked: " + why));
            checks.add(CheckResult.warn("caching", null, null, "not checked: " + why));
        }

        void warnings(Fetched js) {
            Optional<String> version = VersionedUrl.evidence(jsUrl);
            checks.add(version.isPresent()
                    ? CheckResult.ok("versioned-url", jsUrl.toString(), null, version.get())
                    : CheckResult.warn("versioned-url", jsUrl.toString(), null, "no content hash or version in the URL:"
                            + " when a deploy changes the file under the same URL, Sentry (which keeps a fetched file"
                            + " for about an hour) can pair an error with a map that does not match"));

            List<String> problems = new ArrayList<>();
            for (Map.Entry<String, List<InetAddress>> host : addresses.entrySet()) {
                if (host.getValue() != null) {
                    Reachability.problem(host.getKey(), host.getValue()).ifPresent(problems::add);
                }
            }
            checks.add(problems.isEmpty()
                    ? CheckResult.ok("ipv4", null, null, "Sentry can connect to " + String.join(", ", addresses.keySet())
                            + " over IPv4")
                    : CheckResult.warn("ipv4", null, null, String.join("; ", problems)));

            checks.add(redirects());
        }

        private CheckResult redirects() {
            List<String> seen = new ArrayList<>();
            List<String> warnings = new ArrayList<>();
            for (Fetched fetched : credentialFetches) {
                List<Redirect> chain = fetched.redirects();
                String what = fetched == credentialFetches.get(0) ? "js" : "map";
                if (chain.isEmpty()) {
                    continue;
                }
                seen.add(what + ": " + chain.size() + (chain.size() == 1 ? " redirect" : " redirects") + " to "
                        + fetched.finalUrl());
                Redirect last = chain.get(chain.size() - 1);
                if (last.status() == 302) {
                    warnings.add(what + ": the chain ends in a 302 (" + last.from() + " -> " + last.to() + "), the"
                            + " shape of a login redirect; Sentry takes a 302 it ends on as a login page"
                            + " (permission denied). Use 301 or 308 for assets");
                }
                if (credential.droppedAcrossHosts()) {
                    chain.stream().filter(r -> !SentryFetcher.sameHost(r.from(), r.to())).findFirst().ifPresent(r ->
                            warnings.add(what + ": redirected from " + r.from().getHost() + " to " + r.to().getHost()
                                    + ", where Sentry no longer sends Authorization"));
                }
            }
            if (!warnings.isEmpty()) {
                return CheckResult.warn("redirects", null, null, String.join("; ", warnings));
            }
            return CheckResult.ok("redirects", null, null, seen.isEmpty() ? "none" : String.join("; ", seen));
        }
    }

    private static URI httpUrl(String text) {
        try {
            URI url = new URI(text);
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            return (scheme.equals("http") || scheme.equals("https")) && url.getHost() != null ? url : null;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    static String refusedWithCredential(Fetched map) {
        int status = map.status();
        String sentry;
        if (status == 401 || status == 403) {
            sentry = "Sentry reports \"permission denied\"";
        } else if (status == 302) {
            sentry = "Sentry takes a final 302 as a login page (permission denied)";
        } else if (status >= 400 && status < 500) {
            sentry = "Sentry reports the map as not found";
        } else if (status >= 500) {
            sentry = "Sentry counts a download error and retries up to 3 times";
        } else {
            sentry = "Sentry needs 200 or 206";
        }
        String redirects = map.redirects().isEmpty() ? "" : " after " + map.redirects().size() + " redirects";
        return "answered " + status + redirects + " to the request with the credential; " + sentry
                + ". From mapgate a 404 means the credential or the address was refused, or the origin has no such file";
    }

    static Optional<String> rangeWarning(Fetched map) {
        if (map.range() == RangeOutcome.REFUSED) {
            return Optional.of("the server answered Sentry's Range request with 416 or a Content-Range Sentry rejects;"
                    + " Sentry then fetches again without Range");
        }
        if (map.range() == RangeOutcome.IGNORED && map.encodedSize() > SentryFetcher.PART_SIZE) {
            return Optional.of("larger than 128 MiB (" + Sizes.human(map.encodedSize()) + ") and the server ignored"
                    + " Range: Sentry asks for 128 MiB parts and gets it in one response");
        }
        return Optional.empty();
    }

    static String describeBody(Fetched fetched) {
        StringBuilder out = new StringBuilder();
        if (fetched.contentEncoding() != null && !ContentDecoding.codings(fetched.contentEncoding()).isEmpty()) {
            out.append(String.join("+", ContentDecoding.codings(fetched.contentEncoding()))).append(", ")
                    .append(Sizes.human(fetched.encodedSize())).append(" -> ");
        }
        out.append(Sizes.human(fetched.body().length));
        if (fetched.status() == 206) {
            out.append(", 206 with a valid Content-Range");
        }
        return out.toString();
    }
}
