package dev.mapgate.config;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review of gate.sites as the loader reads it: config mistakes that pass silently, and secrets
 * that check-config shows. Each failed before its fix (commit b559543).
 */
class SiteSettingsReviewTest {

    private static final String STAGING = "staging-1f2e3d4c5b6a79881726354a5b6c7d8e9f0a1b2c";
    private static final String SHOP = "shop-3e8b1d7c5a9f40e6b2d4c8a1f3e5d7b9";

    private static final String GATE = """
            mapgate.origin.directory = "site"
            mapgate.gate {
              allow-ips = ["127.0.0.1/32"]
              %s
            }
            """;

    @TempDir
    Path dir;

    /**
     * HOCON reads an object with numbered keys as a list ({@code sites.0.name = ...} is how many
     * write one element at a time), and the loader does read such a {@code sites}. But KnownKeys
     * checks the keys of a site only when {@code sites} is written as a list, so here a misspelt
     * {@code path-prefix} is dropped without a word: the staging site then covers every path of
     * the host, and the staging token opens the production maps there.
     */
    @Test
    void aMisspeltKeyInASiteIsRefusedAlsoWhenSitesIsWrittenWithNumberedKeys() {
        String config = GATE.formatted("""
                sites.0.name = staging
                sites.0.hosts = ["app.example.com"]
                sites.0.path-prefix = ["/staging/"]
                sites.0.token.tokens = [ { name = sentry-staging, value = "%s" } ]
                """.formatted(STAGING));

        assertThat(TestConfigFile.problem(dir, config, Map.of()))
                .as("a misspelt key is refused wherever the site is written, or the staging site silently covers"
                        + " all of app.example.com")
                .startsWith("mapgate.gate.sites[0].path-prefix: unknown key");
    }

    /**
     * A site's {@code token.tokens} written with numbered keys is read as a list by the loader,
     * but EffectiveConfig only redacts it when it is a LIST value: as an object it is shown whole,
     * token values included, on check-config's stdout (which the docs suggest saving to a file).
     */
    @Test
    void checkConfigNeverShowsASitesTokenWrittenWithNumberedKeys() {
        Path file = TestConfigFile.write(dir, GATE.formatted("""
                sites = [ { name = shop, hosts = ["shop.example.com"]
                            token.tokens.0 { name = sentry-shop, value = "%s" } } ]
                """.formatted(SHOP)));

        EffectiveConfig effective = SettingsLoader.effective(file, Map.of());

        assertThat(effective.settings().gate().site("shop").policy().acceptsToken(SHOP))
                .as("the loader reads the token").isTrue();
        assertThat(effective.hocon()).as("check-config must never print a token's value").doesNotContain(SHOP);
    }

    /** As above, for a site's Basic users: their password hashes are declared secret. */
    @Test
    void checkConfigNeverShowsASitesPasswordHashWrittenWithNumberedKeys() {
        String hash = BCrypt.withDefaults().hashToString(4, "pw".toCharArray());
        Path file = TestConfigFile.write(dir, GATE.formatted("""
                sites = [ { name = shop, hosts = ["shop.example.com"]
                            basic.users.0 { name = alice, password-hash = "%s" } } ]
                """.formatted(hash)));

        assertThat(SettingsLoader.effective(file, Map.of()).hocon()).doesNotContain(hash);
    }

    /**
     * {@code token.tokens = null} and {@code hosts = null} in a site are refused ("must be set"),
     * but {@code allow-ips = null} and {@code require = null} silently take the gate's values,
     * although reference.conf documents leaving the key out, not null, as "take the gate's".
     */
    @Test
    void aSitesAllowIpsOrRequireSetToNullIsRefusedNotTakenFromTheGate() {
        String allowIps = GATE.formatted("""
                sites = [ { name = shop, hosts = ["shop.example.com"], allow-ips = null
                            token.tokens = [ { name = sentry-shop, value = "%s" } ] } ]
                """.formatted(SHOP));
        String require = allowIps.replace("allow-ips = null", "require = null");

        assertThat(TestConfigFile.problem(dir, allowIps, Map.of())).startsWith("mapgate.gate.sites[0].allow-ips: ");
        assertThat(TestConfigFile.problem(dir, require, Map.of())).startsWith("mapgate.gate.sites[0].require: ");
    }

    /**
     * Each site counts failed guesses apart ({@code FailureThrottle.inSite}), so a Basic user
     * that two sites share (one htpasswd file, a common setup) gets a full guess budget per site,
     * and the cool-down at one does not protect the same password at the other. check-config warns
     * about a token value in two sites, but not about a user whose password hash is in two.
     */
    @Test
    void aBasicUserWhosePasswordHashIsInTwoSitesIsWarnedAboutAsASharedTokenIs() throws IOException {
        // At the recommended cost, so that no warning about cheap hashes names alice.
        String hash = BCrypt.withDefaults().hashToString(10, "pw".toCharArray());
        Files.writeString(dir.resolve("team.htpasswd"), "alice:" + hash + "\n");

        Settings settings = TestConfigFile.load(dir, GATE.formatted("""
                sites = [
                  { name = shop, path-prefixes = ["/shop/"], basic.htpasswd-file = "team.htpasswd" }
                  { name = blog, path-prefixes = ["/blog/"], basic.htpasswd-file = "team.htpasswd" }
                ]
                """), Map.of());

        assertThat(settings.warnings()).as("one password opening two sites, each with its own guess budget")
                .anyMatch(warning -> warning.contains("alice") && warning.contains("shop") && warning.contains("blog"));
    }
}
