package dev.mapgate.server;

import dev.mapgate.gate.Decision;
import dev.mapgate.gate.Route;
import dev.mapgate.gate.Site;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.util.Attribute;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Makes every response on a gated path, allowed or denied, and every denial, uncacheable by shared caches. A CDN
 * that stored an authorised map would hand Sentry's copy to the public; one that stored a denial
 * would keep Sentry out. So whatever the origin said about caching is replaced, and {@code Vary}
 * names the credential headers for caches that ignore {@code no-store}.
 *
 * <p>It also says which site answered ({@link Site#HEADER}), on an allowed response to a request
 * whose credential was valid: {@code mapgate verify} runs where Sentry does, without mapgate's
 * logs, and the name reaches only someone who already holds that site's credential. Every other
 * response loses the header, so an origin cannot claim a site.
 */
@Sharable
final class GatedResponseHeaders extends ChannelOutboundHandlerAdapter {

    /** Headers by which some cache or CDN may decide to store a response for everyone. */
    private static final String[] SHARED_CACHE_HEADERS = {
        "Expires", "Surrogate-Control", "CDN-Cache-Control", "Cloudflare-CDN-Cache-Control", "Edge-Control",
        "Pragma",
    };

    /** The credential headers, in the order they are added to {@code Vary}. */
    private final String[] credentialHeaders;
    /** {@code Vary} when the origin sent none, which is the usual case: built once. */
    private final String varyValue;

    /** The exchange whose response passes (see {@link Exchange#slot}). */
    private Attribute<Exchange> slot;

    GatedResponseHeaders(String tokenHeader) {
        this.credentialHeaders = new String[] {tokenHeader, "Authorization"};
        this.varyValue = String.join(", ", credentialHeaders);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        slot = Exchange.slot(ctx.channel());
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        Decision decision;
        if (msg instanceof HttpResponse response) {
            // Only mapgate names a site, on any path: an origin's claim would mislead verify --site.
            response.headers().remove(Site.HEADER);
        }
        if (msg instanceof HttpResponse response && isGated(decision = decision())
                && response.status().codeClass() != HttpStatusClass.INFORMATIONAL) {
            HttpHeaders headers = response.headers();
            if (decision.allowed() && decision.credentialName() != null && decision.site() != null) {
                headers.set(Site.HEADER, decision.site());
            }
            for (String name : SHARED_CACHE_HEADERS) {
                headers.remove(name);
            }
            headers.set(HttpHeaderNames.CACHE_CONTROL, "private, no-store");
            headers.set(HttpHeaderNames.VARY, headers.contains(HttpHeaderNames.VARY)
                    ? mergeVary(headers.getAll(HttpHeaderNames.VARY)) : varyValue);
        }
        ctx.write(msg, promise);
    }

    private Decision decision() {
        Exchange exchange = slot.get();
        return exchange == null ? null : exchange.decision();
    }

    /** A gated path, or a denial on any path (the content guard's): both must look alike. */
    private static boolean isGated(Decision decision) {
        return decision != null && (decision.route() == Route.GATED || !decision.allowed());
    }

    private String mergeVary(Iterable<String> existing) {
        Set<String> seen = new LinkedHashSet<>();
        StringBuilder out = new StringBuilder();
        for (String value : existing) {
            for (String name : value.split(",")) {
                String trimmed = name.trim();
                if (!trimmed.isEmpty() && seen.add(trimmed.toLowerCase(Locale.ROOT))) {
                    out.append(trimmed).append(", ");
                }
            }
        }
        if (seen.contains("*")) {
            return "*";
        }
        for (String name : credentialHeaders) {
            if (seen.add(name.toLowerCase(Locale.ROOT))) {
                out.append(name).append(", ");
            }
        }
        return out.substring(0, out.length() - 2);
    }
}
