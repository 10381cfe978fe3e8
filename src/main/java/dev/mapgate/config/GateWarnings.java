package dev.mapgate.config;

import dev.mapgate.gate.GateWarning;
import dev.mapgate.gate.Site;
import dev.mapgate.gate.Sites;

import java.util.List;

/** The gate's warnings in the words of the config: with the keys an operator would change. */
final class GateWarnings {

    private GateWarnings() {
    }

    /** The warnings of the gate's own settings, of each site under its own keys, and of the sites together. */
    static List<String> render(Sites sites) {
        List<String> names = sites.named().stream().map(Site::name).toList();
        return sites.warnings().stream().map(warning -> render(warning, names)).toList();
    }

    /** Warnings about the gate's own settings in a config without sites. */
    static List<String> render(List<GateWarning> warnings) {
        return warnings.stream().map(warning -> render(warning, List.of())).toList();
    }

    /** @param sites the names of the configured sites, in config order, which says where each is */
    private static String render(GateWarning warning, List<String> sites) {
        String at = warning.site() == null ? "gate." : "gate.sites[" + sites.indexOf(warning.site()) + "].";
        // A site's warning speaks of its own requests.
        String none = warning.site() != null ? "no request to site '" + warning.site() + "' can be allowed"
                : "no gated request can be allowed";
        return switch (warning.kind()) {
            case NOTHING_GATED -> "gate.paths is empty: no request is gated and every source map is served to anyone";
            case TOP_FOLDER_GLOB -> {
                String glob = warning.subject();
                yield "gate.paths: '" + glob + "' matches names in the top folder only, so /assets/"
                        + glob.replace("/", "").replace("*", "app") + " stays public (Vite and webpack put every map"
                        + " under assets/); write '**/" + (glob.startsWith("/") ? glob.substring(1) : glob)
                        + "' to protect every folder";
            }
            case IP_REQUIRED_NONE_ALLOWED -> at + "require includes ip but " + at + "allow-ips is empty: " + none;
            case CREDENTIAL_REQUIRED_NONE_CONFIGURED -> at + "require includes credential but no token or user is"
                    + " configured (" + at + "token.tokens, " + at + "basic.users, " + at + "basic.htpasswd-file): "
                    + none;
            // About the users' hashes, whose names say which they are; a site's are named by where.
            case CHEAP_HASHES, MIXED_HASH_COSTS -> warning.site() == null ? warning.subject()
                    : at + "basic: " + warning.subject();
            // About the sites together; the subject names each site it is about.
            case UNREACHABLE_SITE, OVERLAPPING_SITES, SHARED_TOKEN, SHARED_USER -> "gate.sites: " + warning.subject();
        };
    }
}
