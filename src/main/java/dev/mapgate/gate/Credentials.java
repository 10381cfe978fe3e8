package dev.mapgate.gate;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;

import org.bouncycastle.crypto.macs.SipHash;
import org.bouncycastle.crypto.params.KeyParameter;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Checks the token header and {@code Authorization: Basic} of a request against the configured secrets.
 *
 * <p>Thread-safe. Tokens are compared as SHA-256 digests in constant time; Basic passwords are
 * verified with bcrypt, and successful verifications are remembered (keyed by an HMAC under a
 * per-instance random key, never by the credential) so a client that sends the same credential on
 * every request pays for bcrypt once.
 */
public final class Credentials {

    static final int DEFAULT_CACHE_LIMIT = 1024;

    /** The lowest bcrypt cost that check-config does not warn about. */
    static final int RECOMMENDED_COST = 10;

    // htpasswd and OpenBSD bcrypt ignore bytes after the 72nd; truncating matches their hashes
    // instead of throwing on a long password.
    private static final BCrypt.Verifyer VERIFYER =
            BCrypt.verifyer(BCrypt.Version.VERSION_2A, LongPasswordStrategies.truncate(BCrypt.Version.VERSION_2A));

    // A real hash of an unguessable password; its cost digits are replaced by a user's cost so
    // that an unknown user takes as long to refuse as a wrong password.
    private static final String DUMMY_HASH = "$2a$04$kpvm835MyE7ZGRTnY3Ffq.8NF6ZTECUvNE2WiLz..NCsCm40xF1wq";

    private static final String BASIC_PREFIX = "Basic ";

    private final String[] tokenNames;
    private final byte[][] tokenDigests;
    private final Map<String, String> userHashes;
    /** The users' costs, one per user in name order: an unknown name is refused at one of them. */
    private final int[] userCosts;
    private final KeyParameter dummyKey;
    private final Set<String> verified = ConcurrentHashMap.newKeySet();
    private final int cacheLimit;
    private final ThreadLocal<Mac> cacheMac;

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    });

    /**
     * @throws InvalidEntry naming the bad token or user by its position in {@code tokens} or
     *                      {@code users}; never echoing a secret
     */
    public Credentials(List<Token> tokens, List<BasicUser> users) {
        this(tokens, users, DEFAULT_CACHE_LIMIT);
    }

    Credentials(List<Token> tokens, List<BasicUser> users, int cacheLimit) {
        this.cacheLimit = cacheLimit;
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(users, "users");
        tokenNames = new String[tokens.size()];
        tokenDigests = new byte[tokens.size()][];
        Set<String> seenTokens = new HashSet<>();
        for (int i = 0; i < tokens.size(); i++) {
            Token token = tokens.get(i);
            if (token == null || token.name() == null || token.name().isBlank()) {
                throw new InvalidEntry(InvalidEntry.Field.TOKEN_NAME, i, null, "a token has a blank name");
            }
            if (!seenTokens.add(token.name())) {
                throw new InvalidEntry(InvalidEntry.Field.TOKEN_NAME, i, token.name(),
                        "token name '" + token.name() + "' is used twice");
            }
            if (token.value() == null || token.value().isBlank()) {
                throw new InvalidEntry(InvalidEntry.Field.TOKEN_VALUE, i, token.name(),
                        "token '" + token.name() + "' has an empty value");
            }
            tokenNames[i] = token.name();
            tokenDigests[i] = sha256(token.value());
        }

        Map<String, String> hashes = new HashMap<>();
        for (int i = 0; i < users.size(); i++) {
            BasicUser user = users.get(i);
            String name = user == null ? null : user.name();
            BasicUser.checkName(name, i);
            if (hashes.containsKey(name)) {
                throw new InvalidEntry(InvalidEntry.Field.USER_NAME, i, name, "Basic user '" + name + "' is configured twice");
            }
            if (!BcryptHashes.isValid(user.passwordHash())) {
                throw new InvalidEntry(InvalidEntry.Field.PASSWORD_HASH, i, name, "Basic user '" + name
                        + "': the password hash is not a valid bcrypt hash ($2a$, $2b$ or $2y$, cost "
                        + BcryptHashes.MIN_COST + " to " + BcryptHashes.MAX_COST + ")");
            }
            hashes.put(name, user.passwordHash());
        }
        userHashes = Map.copyOf(hashes);
        List<String> names = new ArrayList<>(userHashes.keySet());
        names.sort(null);
        userCosts = names.stream().mapToInt(name -> BcryptHashes.cost(userHashes.get(name))).toArray();
        dummyKey = new KeyParameter(Arrays.copyOf(sha256(String.join("\n", names.stream()
                .map(name -> name + ":" + userHashes.get(name)).toList())), 16));

        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        SecretKeySpec macKey = new SecretKeySpec(key, "HmacSHA256");
        cacheMac = ThreadLocal.withInitial(() -> {
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(macKey);
                return mac;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is required by every Java platform", e);
            }
        });
    }

    /**
     * A configured token in the token header wins; otherwise a Basic credential in
     * {@code authorization} is verified. Anything else that is not blank is {@code BAD}.
     *
     * @param tokenHeaderValue the value of the configured token header, or {@code null}
     * @param authorization    the value of {@code Authorization}, or {@code null}
     */
    public CredentialCheck check(String tokenHeaderValue, String authorization) {
        return evaluate(tokenHeaderValue, authorization, true);
    }

    /**
     * Like {@link #check}, but returns {@code null} instead of running bcrypt. For callers that only
     * want to know a credential's name when it is free, e.g. to log a request refused for its address.
     */
    public CredentialCheck checkWithoutBcrypt(String tokenHeaderValue, String authorization) {
        return evaluate(tokenHeaderValue, authorization, false);
    }

    /** True when {@link #check} would run bcrypt (a Basic credential whose result is not cached). */
    public boolean isSlow(String tokenHeaderValue, String authorization) {
        // Only a Basic credential can need bcrypt; asking that first spares hashing the token.
        if (authorization == null || userHashes.isEmpty()) {
            return false;
        }
        return evaluate(tokenHeaderValue, authorization, false) == null;
    }

    public boolean hasBasicUsers() {
        return !userHashes.isEmpty();
    }

    public boolean isEmpty() {
        return tokenNames.length == 0 && userHashes.isEmpty();
    }

    /** The names of the tokens, in config order; names are not secrets. */
    public List<String> tokenNames() {
        return List.of(tokenNames);
    }

    /**
     * The names of this instance's tokens whose value is also a token of {@code other}, in config
     * order. For check-config: one secret opening two sites defeats keeping them apart.
     */
    public List<String> tokensSharedWith(Credentials other) {
        List<String> shared = new ArrayList<>();
        for (int i = 0; i < tokenDigests.length; i++) {
            for (byte[] theirs : other.tokenDigests) {
                if (MessageDigest.isEqual(tokenDigests[i], theirs)) {
                    shared.add(tokenNames[i]);
                    break;
                }
            }
        }
        return shared;
    }

    /**
     * The names of this instance's Basic users that {@code other} has too, with the same password
     * hash, in name order. For check-config: each site counts guesses apart, so a password that
     * opens two sites gets a guess budget in each.
     */
    public List<String> usersSharedWith(Credentials other) {
        List<String> shared = new ArrayList<>();
        userHashes.forEach((name, hash) -> {
            if (hash.equals(other.userHashes.get(name))) {
                shared.add(name);
            }
        });
        shared.sort(null);
        return shared;
    }

    public int userCount() {
        return userHashes.size();
    }

    @Override
    public String toString() {
        List<String> users = new ArrayList<>(userHashes.keySet());
        users.sort(null);
        return "Credentials[tokens=" + Arrays.toString(tokenNames) + ", users=" + users + "]";
    }

    private CredentialCheck evaluate(String tokenHeaderValue, String authorization, boolean mayRunBcrypt) {
        String tokenName = matchToken(tokenHeaderValue);
        if (tokenName != null) {
            return CredentialCheck.valid(tokenName);
        }
        BasicCredential basic = BasicCredential.parse(authorization);
        if (basic == null || userHashes.isEmpty()) {
            return isPresent(tokenHeaderValue) || isPresent(authorization) ? CredentialCheck.BAD : CredentialCheck.NONE;
        }
        String cacheKey = cacheKey(basic);
        if (verified.contains(cacheKey)) {
            return CredentialCheck.valid(basic.user);
        }
        if (!mayRunBcrypt) {
            return null;
        }
        if (!verifyBcrypt(basic)) {
            return CredentialCheck.BAD;
        }
        remember(cacheKey);
        return CredentialCheck.valid(basic.user);
    }

    private String matchToken(String presented) {
        if (tokenDigests.length == 0 || !isPresent(presented)) {
            return null;
        }
        byte[] digest = sha256(presented);
        int match = -1;
        // No early exit: the time taken must not tell which token (if any) matched.
        for (int i = 0; i < tokenDigests.length; i++) {
            boolean equal = MessageDigest.isEqual(digest, tokenDigests[i]);
            match = equal && match < 0 ? i : match;
        }
        return match < 0 ? null : tokenNames[match];
    }

    private boolean verifyBcrypt(BasicCredential basic) {
        String hash = userHashes.get(basic.user);
        char[] password = basic.password.toCharArray();
        try {
            if (hash == null) {
                VERIFYER.verify(password, dummyHashFor(basic.user));
                return false;
            }
            return VERIFYER.verify(password, hash).verified;
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    /**
     * The hash an unknown user is checked against, at the cost of one of the configured users.
     * With one cost that is simply it. With several, a keyed hash of the name picks a user's cost,
     * so unknown names spread over the costs as the users do, and each name always gets the same
     * one, as a real user would: the time a refusal takes tells a cost, not whether the name
     * exists. The key is derived from the users and their hashes, so it holds across restarts and
     * cannot be computed without the hashes; a change to the users moves every unknown name at once.
     */
    String dummyHashFor(String user) {
        int cost = userCosts[0];
        if (userCosts.length > 1) {
            SipHash mac = new SipHash();
            mac.init(dummyKey);
            byte[] name = user.getBytes(StandardCharsets.UTF_8);
            mac.update(name, 0, name.length);
            cost = userCosts[(int) Long.remainderUnsigned(mac.doFinal(), userCosts.length)];
        }
        return DUMMY_HASH.substring(0, 4) + String.format("%02d", cost) + DUMMY_HASH.substring(6);
    }

    /**
     * The user name of a well-formed Basic credential, else {@code null}; the password is not kept.
     * For counting guesses per user, whether or not the user exists.
     */
    public static String basicUserName(String authorization) {
        BasicCredential basic = BasicCredential.parse(authorization);
        return basic == null ? null : basic.user;
    }

    /**
     * What a user should fix about the configured hashes: costs below {@value #RECOMMENDED_COST},
     * which a stolen file gives up to a laptop, and costs that differ, which let the time of a
     * refusal tell one group of names from another. Names only, never a hash.
     */
    public List<GateWarning> costWarnings() {
        Map<Integer, List<String>> byCost = new TreeMap<>();
        userHashes.forEach((name, hash) -> byCost.computeIfAbsent(BcryptHashes.cost(hash), c -> new ArrayList<>()).add(name));
        byCost.values().forEach(list -> list.sort(null));
        List<GateWarning> warnings = new ArrayList<>();
        List<String> cheap = new ArrayList<>();
        byCost.forEach((cost, names) -> {
            if (cost < RECOMMENDED_COST) {
                names.forEach(name -> cheap.add(name + " (cost " + cost + ")"));
            }
        });
        if (!cheap.isEmpty()) {
            warnings.add(new GateWarning(GateWarning.Kind.CHEAP_HASHES, "Basic users with a bcrypt cost below " + RECOMMENDED_COST + ": " + String.join(", ", cheap)
                    + "; a stolen hash that cheap is cracked quickly. Hash again with `mapgate hash-password`"
                    + " (cost 12) or `htpasswd -nB -C 12 NAME`"));
        }
        if (byCost.size() > 1) {
            StringBuilder groups = new StringBuilder();
            byCost.forEach((cost, names) -> groups.append(groups.length() == 0 ? "" : "; ")
                    .append("cost ").append(cost).append(": ").append(String.join(", ", names)));
            warnings.add(new GateWarning(GateWarning.Kind.MIXED_HASH_COSTS, "Basic users' bcrypt costs differ (" + groups + "): how long a wrong password takes tells"
                    + " which group a user name is in. Hash every password at one cost"));
        }
        return List.copyOf(warnings);
    }

    private String cacheKey(BasicCredential basic) {
        Mac mac = cacheMac.get();
        mac.update(basic.user.getBytes(StandardCharsets.UTF_8));
        mac.update((byte) 0); // unambiguous: a parsed user never contains NUL
        mac.update(basic.password.getBytes(StandardCharsets.UTF_8));
        return new String(mac.doFinal(), StandardCharsets.ISO_8859_1);
    }

    private void remember(String cacheKey) {
        if (verified.size() >= cacheLimit) {
            // Any entry will do: evicting only costs one more bcrypt for whoever comes back.
            Iterator<String> it = verified.iterator();
            if (it.hasNext()) {
                it.next();
                it.remove();
            }
        }
        verified.add(cacheKey);
    }

    /** Number of remembered verifications; for tests. */
    int cachedVerifications() {
        return verified.size();
    }

    private static boolean isPresent(String value) {
        return value != null && !value.isBlank();
    }

    private static boolean hasControlCharacter(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                return true;
            }
        }
        return false;
    }

    private static byte[] sha256(String value) {
        MessageDigest digest = SHA256.get();
        return digest.digest(value.getBytes(StandardCharsets.UTF_8));
    }

    /** A decoded {@code Basic} credential. Never logged; {@link #toString()} hides the password. */
    private static final class BasicCredential {
        final String user;
        final String password;

        private BasicCredential(String user, String password) {
            this.user = user;
            this.password = password;
        }

        /** @return the credential, or {@code null} when the value is not a well-formed Basic credential */
        static BasicCredential parse(String authorization) {
            if (authorization == null || !authorization.regionMatches(true, 0, BASIC_PREFIX, 0, BASIC_PREFIX.length())) {
                return null;
            }
            int start = BASIC_PREFIX.length();
            while (start < authorization.length() && authorization.charAt(start) == ' ') {
                start++;
            }
            String encoded = authorization.substring(start);
            if (encoded.isEmpty() || encoded.length() % 4 != 0) {
                return null;
            }
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(encoded);
            } catch (IllegalArgumentException e) {
                return null;
            }
            // The decoder ignores non-zero padding bits; two spellings of one credential would be
            // two cache entries and, worse, two things to reason about.
            if (!Base64.getEncoder().encodeToString(bytes).equals(encoded)) {
                return null;
            }
            String text;
            try {
                text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes))
                        .toString();
            } catch (CharacterCodingException e) {
                return null;
            } finally {
                Arrays.fill(bytes, (byte) 0);
            }
            int colon = text.indexOf(':');
            if (colon < 0) {
                return null;
            }
            String user = text.substring(0, colon);
            if (hasControlCharacter(user)) {
                return null;
            }
            return new BasicCredential(user, text.substring(colon + 1));
        }

        @Override
        public String toString() {
            return "BasicCredential[user=" + user + ", password=<redacted>]";
        }
    }
}
