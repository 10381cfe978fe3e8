package dev.mapgate.config;

import dev.mapgate.gate.BasicUser;
import dev.mapgate.gate.Credentials;
import dev.mapgate.gate.Htpasswd;
import dev.mapgate.gate.InvalidEntry;
import dev.mapgate.gate.Token;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the credentials of the gate's own settings or of one site: {@code token.tokens},
 * {@code basic.users} and {@code basic.htpasswd-file}, within {@code mapgate.gate} or
 * {@code mapgate.gate.sites[i]}. The gate names a token or user it refuses by its position;
 * this class knows where each position was configured.
 */
final class CredentialsReader {

    private static final String HTPASSWD = "basic.htpasswd-file";

    /**
     * @param tokens  the tokens in force with where they were configured, for {@link TokenAdvice}
     * @param revoked tokens whose file is deleted or empty, in config order
     */
    record Read(Credentials credentials, List<TokenAdvice.Configured> tokens, List<RevokedToken> revoked,
                boolean hasBasicUsers) {
    }

    /** Where a token's name and its secret (value or file) were configured. */
    private record TokenKeys(String name, String secret) {
    }

    private final ConfigValues values;
    private final ConfigFiles files;
    private final String site;
    private final List<TokenKeys> tokenKeys = new ArrayList<>();
    private final List<TokenAdvice.Configured> configured = new ArrayList<>();
    private final List<RevokedToken> revoked = new ArrayList<>();

    private CredentialsReader(ConfigValues values, ConfigFiles files, String site) {
        this.values = values;
        this.files = files;
        this.site = site;
    }

    /**
     * @param values the gate's or a site's values ({@link ConfigValues#within}), where the lists
     *               of {@link ListSchema#TOKENS} and {@link ListSchema#USERS} are
     * @param site   the site's name, for its revoked tokens; {@code null} for the gate's own
     */
    static Read read(ConfigValues values, ConfigFiles files, String site) {
        return new CredentialsReader(values, files, site).read();
    }

    private Read read() {
        List<Token> tokens = tokens();
        List<BasicUser> users = new ArrayList<>(users());
        int configuredUsers = users.size();
        String htpasswd = values.optionalString(HTPASSWD);
        if (htpasswd != null) {
            users.addAll(htpasswdUsers(htpasswd));
        }
        return new Read(credentials(tokens, users, configuredUsers), configured, revoked, !users.isEmpty());
    }

    /**
     * The tokens in force; those whose file is deleted or empty go to {@link #revoked} instead.
     * Such a config loads, so that check-config, startup and a reload all agree on it.
     */
    private List<Token> tokens() {
        List<Token> tokens = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<ConfigValues> elements = values.objects(ListSchema.TOKENS);
        for (int i = 0; i < elements.size(); i++) {
            ConfigValues element = elements.get(i);
            String elementPath = values.path(ListSchema.TOKENS.key()) + "[" + i + "]";
            String name = element.string("name");
            boolean hasValue = element.isSet("value");
            if (hasValue == element.isSet("file")) {
                throw new ConfigProblem(elementPath + ": set exactly one of value and file; "
                        + (hasValue ? "both are set" : "neither is set"));
            }
            // Over revoked tokens too: whether a config is valid must not hang on which files exist.
            if (!names.add(name)) {
                throw new ConfigProblem(values.path(ListSchema.TOKENS.key()) + ": token name '" + name + "' is used twice");
            }
            String value;
            if (hasValue) {
                value = element.string("value");
            } else {
                Path file = files.resolve(element.path("file"), element.string("file"));
                TokenFile.Contents contents = tokenFile(element, file);
                if (contents instanceof TokenFile.Revoked revocation) {
                    if (name.isBlank()) {
                        throw element.problem("name", "must not be blank");
                    }
                    revoked.add(new RevokedToken(site, name, elementPath, file, revocation.cause()));
                    continue;
                }
                value = ((TokenFile.Token) contents).value();
            }
            Token token = new Token(name, value);
            tokens.add(token);
            tokenKeys.add(new TokenKeys(element.path("name"), element.path(hasValue ? "value" : "file")));
            configured.add(new TokenAdvice.Configured(elementPath, token));
        }
        return tokens;
    }

    private TokenFile.Contents tokenFile(ConfigValues element, Path file) {
        // Watched whatever it holds: a deleted file coming back must be noticed.
        files.watch(file);
        try {
            return TokenFile.read(file);
        } catch (IOException e) {
            throw element.problem("file", Unreadable.describe(file, e));
        }
    }

    private List<BasicUser> users() {
        List<BasicUser> users = new ArrayList<>();
        for (ConfigValues element : values.objects(ListSchema.USERS)) {
            users.add(new BasicUser(element.string("name"), element.string("password-hash")));
        }
        return users;
    }

    private List<BasicUser> htpasswdUsers(String text) {
        Path file = files.resolve(values.path(HTPASSWD), text);
        files.watch(file);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw values.problem(HTPASSWD, Unreadable.describe(file, e));
        }
        try {
            return Htpasswd.parse(lines, file.toString());
        } catch (InvalidEntry e) {
            throw values.problem(HTPASSWD, e.getMessage());
        }
    }

    /** The key of the token or user the gate refused: a user past the configured ones came from htpasswd. */
    private Credentials credentials(List<Token> tokens, List<BasicUser> users, int configuredUsers) {
        try {
            return new Credentials(tokens, users);
        } catch (InvalidEntry e) {
            String key = switch (e.field()) {
                case TOKEN_NAME -> tokenKeys.get(e.index()).name();
                case TOKEN_VALUE -> tokenKeys.get(e.index()).secret();
                default -> e.index() >= configuredUsers ? values.path(HTPASSWD)
                        : values.path(ListSchema.USERS.key()) + "[" + e.index() + "]."
                        + (e.field() == InvalidEntry.Field.PASSWORD_HASH ? "password-hash" : "name");
            };
            throw new ConfigProblem(SettingsLoader.oneLine(key + ": " + e.getMessage()));
        }
    }
}
