package dev.mapgate.gate;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Chooses the one site that judges a request. Pure and immutable.
 *
 * <p><b>The rule.</b> A site covers a request when one of its hosts names the request's host (or
 * it lists none) and the path is under one of its prefixes (or it lists none). Of the sites that
 * cover a request, the most specific wins: first by host (an exact name, then the longest
 * wildcard, then a site without hosts), then by the longest prefix; between two equal ones, the
 * one listed first. A request no site covers is judged by the gate's own settings. This is how
 * nginx picks a server by name and then a location by its longest prefix.
 *
 * <p>With no named site, {@link #select} returns the gate's own settings at once, without reading
 * the host or the path.
 *
 * <p><b>Paths that origins read otherwise.</b> A request is judged by one site only if every
 * reading of its path that some origin makes falls to that site: see {@link #readsAlike}.
 */
public final class Sites {

    private final Site unnamed;
    private final List<Site> named;
    private final Map<String, Site> byName;
    /** Per exact host, the sites for it, longest prefix first. */
    private final Map<String, Bucket> exactHosts;
    /** Wildcard hosts, longest first, each with its sites. */
    private final List<Wildcard> wildcards;
    /** Sites without hosts, longest prefix first. */
    private final Bucket anyHost;
    /** How many folders deep the deepest prefix goes; 0 when no site has one, so the path never decides. */
    private final int prefixDepth;

    /**
     * @param unnamed the gate's own settings
     * @param named   the sites in config order
     * @throws InvalidEntry naming a site whose name is taken, by its position in {@code named}
     */
    public Sites(Site unnamed, List<Site> named) {
        this.unnamed = Objects.requireNonNull(unnamed, "unnamed");
        if (unnamed.name() != null) {
            throw new IllegalArgumentException("the gate's own settings have no site name");
        }
        this.named = List.copyOf(named);
        Map<String, Site> names = new LinkedHashMap<>();
        Map<String, List<Entry>> exact = new LinkedHashMap<>();
        Map<String, List<Entry>> wild = new LinkedHashMap<>();
        List<Entry> any = new ArrayList<>();
        for (int i = 0; i < this.named.size(); i++) {
            Site site = this.named.get(i);
            if (site.name() == null) {
                throw new IllegalArgumentException("site " + i + " has no name");
            }
            if (names.keySet().stream().anyMatch(site.name()::equalsIgnoreCase)) {
                throw new InvalidEntry(InvalidEntry.Field.SITE_NAME, i, site.name(),
                        "the site name '" + site.name() + "' is used twice");
            }
            names.put(site.name(), site);
            for (Pair pair : pairs(site)) {
                Entry entry = new Entry(pair.prefix(), site);
                if (pair.host() == null) {
                    any.add(entry);
                } else {
                    (SiteScope.isWildcard(pair.host()) ? wild : exact)
                            .computeIfAbsent(pair.host(), h -> new ArrayList<>()).add(entry);
                }
            }
        }
        this.byName = Map.copyOf(names);
        Map<String, Bucket> exactBuckets = new HashMap<>();
        exact.forEach((host, entries) -> exactBuckets.put(host, new Bucket(entries)));
        this.exactHosts = Map.copyOf(exactBuckets);
        List<Wildcard> wildcardList = new ArrayList<>();
        wild.forEach((pattern, entries) -> wildcardList.add(new Wildcard(pattern, new Bucket(entries))));
        // Stable: equal lengths keep config order.
        wildcardList.sort(Comparator.comparingInt((Wildcard w) -> w.pattern.length()).reversed());
        this.wildcards = List.copyOf(wildcardList);
        this.anyHost = new Bucket(any);
        int depth = 0;
        for (Site site : this.named) {
            for (String prefix : site.scope().pathPrefixes()) {
                depth = Math.max(depth, (int) prefix.chars().filter(c -> c == '/').count() - 1);
            }
        }
        this.prefixDepth = depth;
    }

    /** Only the gate's own settings. */
    public static Sites none(Site unnamed) {
        return new Sites(unnamed, List.of());
    }

    /**
     * The site that judges a request.
     *
     * @param hostHeader the request's {@code Host} (after an absolute-form target replaced it), or
     *                   {@code null} when it has none
     * @param path       the canonical path ({@link RequestTarget#path()})
     * @return the site; {@code null} when nobody can say which site's rules apply, and the request
     *         must be refused: a site covers hosts and {@code hostHeader} is missing or not a host,
     *         or some origin would read the path as another site's ({@link #readsAlike})
     */
    public Site select(String hostHeader, String path) {
        if (named.isEmpty()) {
            return unnamed;
        }
        String host = null;
        if (needsHost()) {
            host = hostOf(hostHeader);
            if (host == null) {
                return null;
            }
        }
        Site site = mostSpecific(host, path);
        return prefixDepth == 0 || readsAlike(host, path, site) ? site : null;
    }

    /**
     * Whether every origin serves {@code path} from {@code site}'s part of the tree. Not all read a
     * path as the gate does: Tomcat, Jetty and Spring drop each segment's ";params", then resolve a
     * ".." or merge a "//" that is left; IIS reads "shop::$INDEX_ALLOCATION" as the folder shop and
     * "CHECKO~1" as the 8.3 alias of checkout-app; some origins fold Unicode (NFKC). The gated
     * globs are matched in each of these readings ({@link PathGlobs}), and so must the prefixes
     * be: otherwise "/shop;x/app.js.map" is judged by the gate's own token and served from /shop/.
     * Where the readings disagree, no one site can be trusted with the request.
     */
    private boolean readsAlike(String host, String path, Site site) {
        if (!mayReadOtherwise(path)) {
            return true;
        }
        String folded = Normalizer.normalize(path, Normalizer.Form.NFKC);
        for (String spelling : folded.equals(path) ? List.of(path) : List.of(path, folded)) {
            for (String reading : List.of(spelling, PathGlobs.cutSegmentsAt(spelling, ';'),
                    PathGlobs.cutSegmentsAt(spelling, ':'))) {
                if (!isPlain(reading) || hasShortNameFolder(reading) || mostSpecific(host, reading) != site) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Whether {@code path} holds what some origin reads otherwise: ';', ':', '~' or a non-ASCII character. */
    private static boolean mayReadOtherwise(String path) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c >= 128 || c == ';' || c == ':' || c == '~') {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a reading is still canonical: no empty segment but a trailing one, no '.' or '..'
     * segment, none ending in '.' or ' ' (which Windows trims). A cut can leave any of these.
     */
    private static boolean isPlain(String reading) {
        return !reading.contains("//") && !reading.contains("./") && !reading.contains(" /")
                && !reading.endsWith(".") && !reading.endsWith(" ");
    }

    /**
     * Whether a folder no deeper than the deepest prefix looks like an 8.3 alias: IIS serves
     * /CHECKO~1/ from /checkout-app/ ({@link SiteScope#hasShortNameMark}).
     */
    private boolean hasShortNameFolder(String path) {
        int start = 1;
        int folders = 0;
        for (int i = 1; i < path.length() && folders < prefixDepth; i++) {
            if (path.charAt(i) == '/') {
                if (SiteScope.hasShortNameMark(path, start, i)) {
                    return true;
                }
                start = i + 1;
                folders++;
            }
        }
        return false;
    }

    /**
     * The selection rule itself.
     *
     * @param host a normalised host, or {@code null} for one that no site lists
     */
    private Site mostSpecific(String host, String path) {
        Site site = null;
        if (host != null) {
            Bucket bucket = exactHosts.get(host);
            site = bucket == null ? null : bucket.match(path);
            for (int i = 0; site == null && i < wildcards.size(); i++) {
                Wildcard wildcard = wildcards.get(i);
                if (SiteScope.hostMatches(wildcard.pattern, host)) {
                    site = wildcard.bucket.match(path);
                }
            }
        }
        if (site == null) {
            site = anyHost.match(path);
        }
        return site == null ? unnamed : site;
    }

    /** Whether some site covers only some hosts, so that a request must name a readable one. */
    public boolean needsHost() {
        return !exactHosts.isEmpty() || !wildcards.isEmpty();
    }

    /**
     * The named sites chosen by host alone, without a path prefix, when more than one set of
     * credentials opens maps here (two sites, or a site and the gate's own). Such a site keeps
     * its maps apart only if the origin serves each host its own files; otherwise its credentials
     * open every map the origin has, through the site's own host name.
     */
    public List<Site> chosenByHostAlone() {
        boolean severalCredentials = named.size() + (unnamed.policy().credentials().isEmpty() ? 0 : 1) > 1;
        return severalCredentials ? named.stream()
                .filter(site -> !site.scope().hosts().isEmpty() && site.scope().pathPrefixes().isEmpty())
                .toList() : List.of();
    }

    /** The gate's own settings. */
    public Site unnamed() {
        return unnamed;
    }

    /** The named sites, in config order. */
    public List<Site> named() {
        return named;
    }

    /** The named site called {@code name}, or {@code null}; {@code null} asks for the gate's own. */
    public Site site(String name) {
        return name == null ? unnamed : byName.get(name);
    }

    /** Every site, the gate's own settings first. */
    public List<Site> all() {
        List<Site> all = new ArrayList<>(named.size() + 1);
        all.add(unnamed);
        all.addAll(named);
        return all;
    }

    /**
     * What the operator should know about how the sites share out requests and secrets: a site
     * listed after another that covers the same; sites whose scopes overlap, and which one
     * judges there; a token value in two sites. Each site's own policy warnings come with it.
     */
    public List<GateWarning> warnings() {
        List<GateWarning> warnings = new ArrayList<>();
        for (Site site : all()) {
            for (GateWarning warning : site.policy().warnings()) {
                if (!(site == unnamed && !named.isEmpty() && allowsNothing(warning))) {
                    warnings.add(warning);
                }
            }
        }
        Set<String> judgeNothing = new HashSet<>();
        for (int i = 0; i < named.size(); i++) {
            Optional<GateWarning> unreachable = unreachable(i);
            unreachable.ifPresent(warnings::add);
            if (unreachable.isPresent() && unreachable.get().subject().contains(" judges no request")) {
                judgeNothing.add(named.get(i).name());
            }
        }
        for (int i = 0; i < named.size(); i++) {
            for (int j = i + 1; j < named.size(); j++) {
                if (judgeNothing.contains(named.get(i).name()) || judgeNothing.contains(named.get(j).name())) {
                    // Already said: a site that judges nothing overlaps with nothing.
                    continue;
                }
                GateWarning overlap = overlap(named.get(i), named.get(j));
                if (overlap != null) {
                    warnings.add(overlap);
                }
            }
        }
        List<Site> all = all();
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                List<String> shared = all.get(i).policy().credentials().tokensSharedWith(all.get(j).policy().credentials());
                if (!shared.isEmpty()) {
                    warnings.add(new GateWarning(GateWarning.Kind.SHARED_TOKEN, "the token" + (shared.size() > 1 ? "s " : " ")
                            + quoted(shared) + " of " + describe(all.get(i)) + " also open" + (shared.size() > 1 ? "" : "s")
                            + " " + describe(all.get(j)) + ", which has a token with the same value; give each"
                            + " site its own token, so that one can be revoked without the other"));
                }
                List<String> users = all.get(i).policy().credentials().usersSharedWith(all.get(j).policy().credentials());
                if (!users.isEmpty()) {
                    warnings.add(new GateWarning(GateWarning.Kind.SHARED_USER, "the Basic user"
                            + (users.size() > 1 ? "s " : " ") + quoted(users) + " of " + describe(all.get(i))
                            + (users.size() > 1 ? " have" : " has") + " the same password in " + describe(all.get(j))
                            + ", where guesses at it are counted apart, so a guesser gets a full budget in each; give"
                            + " each site its own users"));
                }
            }
        }
        return List.copyOf(warnings);
    }

    @Override
    public String toString() {
        return "Sites" + named;
    }

    /**
     * Whether a warning says that a policy can allow nothing. Beside sites, the gate's own
     * settings allowing nothing is how a config keeps every map to its own site's credentials.
     */
    private static boolean allowsNothing(GateWarning warning) {
        return warning.kind() == GateWarning.Kind.CREDENTIAL_REQUIRED_NONE_CONFIGURED
                || warning.kind() == GateWarning.Kind.IP_REQUIRED_NONE_ALLOWED;
    }

    private Optional<GateWarning> unreachable(int index) {
        Site site = named.get(index);
        List<String> hidden = new ArrayList<>();
        Set<String> by = new HashSet<>();
        List<Pair> pairs = pairs(site);
        for (Pair pair : pairs) {
            for (int j = 0; j < index; j++) {
                if (pairs(named.get(j)).contains(pair)) {
                    hidden.add(pair.describe());
                    by.add(named.get(j).name());
                    break;
                }
            }
        }
        if (hidden.isEmpty()) {
            return Optional.empty();
        }
        String others = quoted(new ArrayList<>(by));
        String subject = hidden.size() == pairs.size()
                ? "site '" + site.name() + "' judges no request: " + others + ", listed before it, cover"
                        + (by.size() > 1 ? "" : "s") + " everything it covers (" + String.join(", ", hidden) + ")"
                : "site '" + site.name() + "' never judges " + String.join(", ", hidden) + ": " + others
                        + ", listed before it, cover" + (by.size() > 1 ? "" : "s") + " the same";
        return Optional.of(new GateWarning(GateWarning.Kind.UNREACHABLE_SITE, subject, site.name()));
    }

    /** The first place two sites both cover, unless they cover it identically (that is {@link #unreachable}). */
    private GateWarning overlap(Site first, Site second) {
        for (Pair a : pairs(first)) {
            for (Pair b : pairs(second)) {
                if (a.equals(b)) {
                    continue;
                }
                String host = narrowerHost(a.host(), b.host());
                String prefix = longerNested(a.prefix(), b.prefix());
                if (host == null && (a.host() != null || b.host() != null) || prefix == null) {
                    continue;
                }
                Pair point = new Pair(host, prefix);
                Site winner = select(point) == first ? first : second;
                Site loser = winner == first ? second : first;
                Pair won = winner == first ? a : b;
                Pair lost = winner == first ? b : a;
                String why = won.host() != null && !Objects.equals(won.host(), lost.host())
                        ? (lost.host() == null ? "a host beats a path prefix" : "an exact host beats a wildcard")
                        : "the longer prefix wins";
                return new GateWarning(GateWarning.Kind.OVERLAPPING_SITES, "sites '" + first.name() + "' and '"
                        + second.name() + "' both cover " + point.describe() + ": '" + winner.name()
                        + "' judges those requests (" + why + "), not '" + loser.name() + "', so only the credentials"
                        + " of '" + winner.name() + "' open the maps there");
            }
        }
        return null;
    }

    /** The site the selection rule gives for a request at exactly {@code point}. */
    private Site select(Pair point) {
        String host = point.host();
        if (host != null && SiteScope.isWildcard(host)) {
            // A name below the wildcard that no exact entry is likely to name.
            host = "mapgate-overlap-probe" + host.substring(1);
        }
        // Not select(host, prefix): a point for any host has none, which select refuses as soon
        // as some site lists hosts, and the warning then named the wrong site as the one judging.
        return mostSpecific(host, point.prefix());
    }

    /** The more specific of two host patterns when one request can match both; {@code null} otherwise. */
    private static String narrowerHost(String a, String b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        if (a.equals(b)) {
            return a;
        }
        if (SiteScope.isWildcard(a) && matchesPattern(a, b)) {
            return b;
        }
        return SiteScope.isWildcard(b) && matchesPattern(b, a) ? a : null;
    }

    /** Whether every host {@code narrow} matches is also matched by the wildcard {@code wide}. */
    private static boolean matchesPattern(String wide, String narrow) {
        String name = SiteScope.isWildcard(narrow) ? narrow.substring(2) : narrow;
        return SiteScope.hostMatches(wide, name) || SiteScope.isWildcard(narrow) && name.equals(wide.substring(2));
    }

    /** The longer of two prefixes when one is inside the other; {@code null} when they are apart. */
    private static String longerNested(String a, String b) {
        if (SiteScope.pathMatches(a, b)) {
            return b;
        }
        return SiteScope.pathMatches(b, a) ? a : null;
    }

    private static List<Pair> pairs(Site site) {
        List<String> hosts = site.scope().hosts().isEmpty() ? Collections.singletonList(null)
                : site.scope().hosts();
        List<String> prefixes = site.scope().pathPrefixes().isEmpty() ? List.of("/") : site.scope().pathPrefixes();
        List<Pair> pairs = new ArrayList<>();
        for (String host : hosts) {
            for (String prefix : prefixes) {
                pairs.add(new Pair(host, prefix.toLowerCase(Locale.ROOT)));
            }
        }
        return pairs;
    }

    private static String hostOf(String hostHeader) {
        if (hostHeader == null || hostHeader.isEmpty()) {
            return null;
        }
        String host;
        try {
            host = Authority.parse(hostHeader).host();
        } catch (IllegalArgumentException e) {
            return null;
        }
        // Refused, not left to the gate's own settings: an origin may read it as a listed host.
        return SiteScope.hasEmptyLabel(host) ? null : host;
    }

    private static String describe(Site site) {
        return site.name() == null ? "the gate's own settings" : "site '" + site.name() + "'";
    }

    private static String quoted(List<String> names) {
        return names.size() == 1 ? "'" + names.get(0) + "'" : "'" + String.join("', '", names) + "'";
    }

    /** One host (or {@code null}: any) with one prefix: the unit a site covers. */
    private record Pair(String host, String prefix) {
        String describe() {
            return (host == null ? "any host" : host) + " under " + prefix;
        }
    }

    /** A prefix of one site, as stored per host. */
    private record Entry(String prefix, Site site) {
    }

    /** The sites for one host, longest prefix first, equal lengths in config order. */
    private static final class Bucket {
        private final String[] prefixes;
        private final Site[] sites;

        Bucket(List<Entry> entries) {
            List<Entry> sorted = new ArrayList<>(entries);
            sorted.sort(Comparator.comparingInt((Entry e) -> e.prefix().length()).reversed());
            prefixes = sorted.stream().map(Entry::prefix).toArray(String[]::new);
            sites = sorted.stream().map(Entry::site).toArray(Site[]::new);
        }

        Site match(String path) {
            for (int i = 0; i < prefixes.length; i++) {
                if (SiteScope.pathMatches(prefixes[i], path)) {
                    return sites[i];
                }
            }
            return null;
        }
    }

    private record Wildcard(String pattern, Bucket bucket) {
    }
}
