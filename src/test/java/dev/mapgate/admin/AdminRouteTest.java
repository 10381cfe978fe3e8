package dev.mapgate.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.admin.AdminRoute.Endpoint;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AdminRouteTest {

    @Test
    void eachEndpointIsServedAtItsPathForGet() {
        assertThat(AdminRoute.of("GET", "/metrics")).isEqualTo(new AdminRoute(Endpoint.METRICS, false, null));
        assertThat(AdminRoute.of("GET", "/healthz")).isEqualTo(new AdminRoute(Endpoint.HEALTHZ, false, null));
        assertThat(AdminRoute.of("GET", "/readyz")).isEqualTo(new AdminRoute(Endpoint.READYZ, false, null));
    }

    @Test
    void headIsServedAsGetWithoutABody() {
        assertThat(AdminRoute.of("HEAD", "/metrics"))
                .as("a load balancer's HEAD check must see what a GET would")
                .isEqualTo(new AdminRoute(Endpoint.METRICS, true, null));
    }

    @Test
    void aQueryStringDoesNotChangeTheEndpoint() {
        assertThat(AdminRoute.of("GET", "/metrics?name[]=mapgate_requests_total").endpoint())
                .as("Prometheus' params are appended as a query; they are ignored, not a 404")
                .isEqualTo(Endpoint.METRICS);
        assertThat(AdminRoute.of("GET", "/readyz?").endpoint()).isEqualTo(Endpoint.READYZ);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "", "*", "/metrics/", "//metrics", "/metrics/../metrics", "/x/../metrics",
        "/./metrics", "/%6detrics", "/METRICS", "/metrics;x", "/metrics%3F", "/metrics#frag", " /metrics",
        "http://127.0.0.1/metrics", "/healthz/", "/readyz.txt", "/admin", "/debug/pprof"})
    void anythingButTheExactPathIsNotFound(String target) {
        assertThat(AdminRoute.of("GET", target).refusal())
                .as("%s must not be treated as an endpoint", target)
                .isEqualTo(AdminReply.NOT_FOUND);
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE", "OPTIONS", "TRACE", "PATCH", "get", "Head"})
    void otherMethodsOnAnEndpointAreNotAllowedAndToldWhatIs(String method) {
        AdminRoute route = AdminRoute.of(method, "/metrics");
        assertThat(route.endpoint()).as("%s must not reach the endpoint", method).isNull();
        assertThat(route.refusal().status()).isEqualTo(405);
        assertThat(route.refusal().allow()).isEqualTo("GET, HEAD");
    }

    @Test
    void anUnknownPathIsNotFoundWhateverTheMethod() {
        assertThat(AdminRoute.of("POST", "/shutdown").refusal())
                .as("404 rather than 405, so a method does not reveal which paths exist")
                .isEqualTo(AdminReply.NOT_FOUND);
    }
}
