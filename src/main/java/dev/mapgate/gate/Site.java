package dev.mapgate.gate;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One app behind the gate, with its own credentials: a gated request it covers is judged by its
 * policy alone, so a token of another site, or of the gate's own settings, opens none of its maps.
 * The gate's own settings are a site too, without a name, for what no named site covers.
 *
 * @param name       the name logs and metrics carry; {@code null} for the gate's own settings
 * @param scope      what the site covers
 * @param policy     how its gated requests are judged; its {@link GatePolicy#site()} is {@code name}
 * @param denyStatus 404, 401 or 403, for every denial of the site's requests
 */
public record Site(String name, SiteScope scope, GatePolicy policy, int denyStatus) {

    /**
     * The response header that names the site which allowed a request with a valid credential,
     * for {@code mapgate verify}. Never on a denial, nor on what the gate's own settings allowed.
     */
    public static final String HEADER = "Mapgate-Site";

    /** Letters, digits, '.', '_' and '-': what a log field and a metric tag carry as they are. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public Site {
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(policy, "policy");
        if (!Objects.equals(name, policy.site())) {
            throw new IllegalArgumentException("the policy of site " + name + " judges for " + policy.site());
        }
    }

    /** The gate's own settings: everything no named site covers. */
    public static Site unnamed(GatePolicy policy, int denyStatus) {
        return new Site(null, SiteScope.EVERYTHING, policy, denyStatus);
    }

    /** @throws InvalidEntry when {@code name} cannot be a site's name */
    public static void checkName(String name, int index) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new InvalidEntry(InvalidEntry.Field.SITE_NAME, index, null, "a site's name must be 1 to 64 letters,"
                    + " digits, '.', '_' or '-', starting with a letter or digit");
        }
        if (name.equalsIgnoreCase("none")) {
            throw new InvalidEntry(InvalidEntry.Field.SITE_NAME, index, name,
                    "'none' is what metrics say for a request no site covers; choose another name");
        }
    }

    /** Whether a 401 from this site offers Basic: only when it has Basic users. */
    public boolean offersBasic() {
        return policy.credentials().hasBasicUsers();
    }

    /**
     * Leaves out the policy, which holds the credentials. A site's name and scope are what an
     * operator needs to see.
     */
    @Override
    public String toString() {
        return "Site[name=" + name + ", scope=" + scope + ", denyStatus=" + denyStatus + "]";
    }
}
