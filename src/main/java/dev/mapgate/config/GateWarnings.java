package dev.mapgate.config;

import dev.mapgate.gate.GateWarning;

import java.util.List;

/** The gate's warnings in the words of the config: with the keys an operator would change. */
final class GateWarnings {

    private GateWarnings() {
    }

    static List<String> render(List<GateWarning> warnings) {
        return warnings.stream().map(GateWarnings::render).toList();
    }

    static String render(GateWarning warning) {
        return switch (warning.kind()) {
            case NOTHING_GATED -> "gate.paths is empty: no request is gated and every source map is served to anyone";
            case TOP_FOLDER_GLOB -> {
                String glob = warning.subject();
                yield "gate.paths: '" + glob + "' matches names in the top folder only, so /assets/"
                        + glob.replace("/", "").replace("*", "app") + " stays public (Vite and webpack put every map"
                        + " under assets/); write '**/" + (glob.startsWith("/") ? glob.substring(1) : glob)
                        + "' to protect every folder";
            }
            case IP_REQUIRED_NONE_ALLOWED ->
                    "gate.require includes ip but gate.allow-ips is empty: no gated request can be allowed";
            case CREDENTIAL_REQUIRED_NONE_CONFIGURED -> "gate.require includes credential but no token or user is"
                    + " configured (gate.token.tokens, gate.basic.users, gate.basic.htpasswd-file): no gated request"
                    + " can be allowed";
            // About the users' hashes, whose names say where they are.
            case CHEAP_HASHES, MIXED_HASH_COSTS -> warning.subject();
            case UNREACHABLE_SITE, OVERLAPPING_SITES, SHARED_TOKEN -> "gate.sites: " + warning.subject();
        };
    }
}
