package dev.mapgate.admin;

import java.util.Objects;

/**
 * Where an admin request goes, decided from its method and request target alone. Paths match
 * exactly: the listener has three fixed paths, so anything that would need normalising to reach
 * one ({@code /metrics/}, {@code //metrics}, {@code /%6detrics}, {@code /x/../metrics}) is not
 * one of them.
 *
 * @param endpoint the endpoint to serve, or {@code null} when refused
 * @param head     the request was HEAD: the same headers as GET, no body
 * @param refusal  the reply for a request that is not served, or {@code null}
 */
public record AdminRoute(Endpoint endpoint, boolean head, AdminReply refusal) {

    public enum Endpoint {
        METRICS("/metrics"), HEALTHZ("/healthz"), READYZ("/readyz");

        private final String path;

        Endpoint(String path) {
            this.path = path;
        }

        public String path() {
            return path;
        }

        static Endpoint at(String path) {
            for (Endpoint endpoint : values()) {
                if (endpoint.path.equals(path)) {
                    return endpoint;
                }
            }
            return null;
        }
    }

    public AdminRoute {
        if ((endpoint == null) == (refusal == null)) {
            throw new IllegalArgumentException("a route either serves an endpoint or refuses");
        }
    }

    /**
     * @param method the request method, case-sensitive as HTTP methods are
     * @param target the request target as sent; a query string is ignored
     */
    public static AdminRoute of(String method, String target) {
        Objects.requireNonNull(method, "method");
        int query = target.indexOf('?');
        Endpoint endpoint = Endpoint.at(query < 0 ? target : target.substring(0, query));
        if (endpoint == null) {
            // Unknown paths get 404 whatever the method, so a probe cannot tell them apart.
            return new AdminRoute(null, false, AdminReply.NOT_FOUND);
        }
        boolean head = method.equals("HEAD");
        if (!head && !method.equals("GET")) {
            return new AdminRoute(null, false, AdminReply.METHOD_NOT_ALLOWED);
        }
        return new AdminRoute(endpoint, head, null);
    }
}
