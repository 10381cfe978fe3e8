package dev.mapgate.verify;

import dev.mapgate.verify.Fetched.RangeOutcome;
import dev.mapgate.verify.Fetched.Redirect;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;

/**
 * Fetches a URL the way Sentry's fetcher (Symbolicator) does: its User-Agent and Accept-Encoding,
 * a first request for a 128 MiB part, up to 10 redirects with Authorization dropped when the host
 * changes, its timeouts, and certificates verified. The body is decoded and capped.
 */
public final class SentryFetcher implements AutoCloseable {

    /** What the Sentry version these checks were written against (Symbolicator 26.8.0) sends. */
    public static final String USER_AGENT = "symbolicator/26.8.0";
    public static final String ACCEPT_ENCODING = "br, deflate, gzip, zstd";
    /** Sentry asks for the first 128 MiB, then splits the rest into parts. */
    public static final long PART_SIZE = 128 * Sizes.MIB;
    public static final int MAX_REDIRECTS = 10;
    /** Verify's own memory bound, far below Sentry's 15 GiB. */
    public static final long MAX_BODY = 256 * Sizes.MIB;

    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration RESPONSE_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DOWNLOAD_TIMEOUT = Duration.ofMinutes(5);

    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);

    private final HttpClient client;
    private final ScheduledExecutorService watchdog;

    public SentryFetcher() {
        client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER) // followed here, to count them and to drop Authorization as Sentry does
                .connectTimeout(CONNECT_TIMEOUT)
                .build();
        watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "verify-download-timeout");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * @param credential the header Sentry would add, or {@code null} to fetch as anyone could
     * @param range      whether to ask for the first 128 MiB part as Sentry does
     */
    public Fetched get(URI url, Credential credential, boolean range) throws FetchException {
        Exchange first = exchange(url, credential, range ? "bytes=0-" + (PART_SIZE - 1) : null);
        if (!range) {
            return decoded(url, first, first.raw, RangeOutcome.NOT_ASKED, first.problem);
        }
        if (first.status == 416) {
            return refetchWithoutRange(url, credential);
        }
        if (first.status != 206) {
            return decoded(url, first, first.raw, first.status == 200 ? RangeOutcome.IGNORED : RangeOutcome.NOT_ASKED,
                    first.problem);
        }
        ContentRange part;
        try {
            part = ContentRange.parse(first.headers.firstValue("Content-Range").orElse(null));
        } catch (IllegalArgumentException e) {
            return refetchWithoutRange(url, credential);
        }
        if (part.start() != 0 || (first.problem == null && part.length() != first.raw.length)) {
            return refetchWithoutRange(url, credential);
        }
        if (first.problem != null || part.end() + 1 == part.total()) {
            return decoded(url, first, first.raw, RangeOutcome.HONOURED, first.problem);
        }
        if (part.total() > MAX_BODY) {
            return decoded(url, first, null, RangeOutcome.HONOURED,
                    Sizes.human(part.total()) + " in total, more than verify reads (" + Sizes.human(MAX_BODY) + ")");
        }
        // Sentry fetches the rest in up to four parts; one request does for checking the content.
        Exchange rest = exchange(url, credential, "bytes=" + (part.end() + 1) + "-" + (part.total() - 1));
        String problem = rest.problem;
        byte[] whole = null;
        if (problem == null && rest.status != 206) {
            problem = "the part after the first " + Sizes.human(part.length()) + " answered " + rest.status;
        } else if (problem == null) {
            ByteArrayOutputStream joined = new ByteArrayOutputStream((int) part.total());
            joined.writeBytes(first.raw);
            joined.writeBytes(rest.raw);
            whole = joined.toByteArray();
            if (whole.length != part.total()) {
                problem = "the parts add up to " + whole.length + " bytes, not the " + part.total() + " of Content-Range";
                whole = null;
            }
        }
        return decoded(url, first, whole, RangeOutcome.HONOURED, problem);
    }

    private Fetched refetchWithoutRange(URI url, Credential credential) throws FetchException {
        Exchange again = exchange(url, credential, null);
        return decoded(url, again, again.raw, RangeOutcome.REFUSED, again.problem);
    }

    private static Fetched decoded(URI url, Exchange exchange, byte[] raw, RangeOutcome range, String problem) {
        String encoding = exchange.headers.firstValue("Content-Encoding").orElse(null);
        byte[] body = null;
        if (problem == null) {
            try {
                body = ContentDecoding.decode(encoding, raw, MAX_BODY);
            } catch (ContentDecoding.DecodingException e) {
                problem = e.getMessage();
            }
        }
        long encodedSize = raw == null ? exchange.raw == null ? 0 : exchange.raw.length : raw.length;
        return new Fetched(url, exchange.finalUrl, exchange.status, exchange.headers, exchange.redirects, body,
                encodedSize, encoding, range, problem);
    }

    /** A response after redirects, its body as received (not decoded), or why the body is missing. */
    private record Exchange(URI finalUrl, int status, HttpHeaders headers, List<Redirect> redirects, byte[] raw,
            String problem) {}

    private Exchange exchange(URI url, Credential credential, String range) throws FetchException {
        List<Redirect> redirects = new ArrayList<>();
        URI current = url;
        boolean sendCredential = credential != null;
        while (true) {
            HttpResponse<InputStream> response = send(request(current, sendCredential ? credential : null, range), current);
            int status = response.statusCode();
            String location = response.headers().firstValue("Location").orElse(null);
            if (REDIRECTS.contains(status) && location != null && redirects.size() < MAX_REDIRECTS) {
                closeQuietly(response.body());
                URI next = resolve(current, location);
                redirects.add(new Redirect(current, status, next));
                if (sendCredential && credential.droppedAcrossHosts() && !sameHost(current, next)) {
                    sendCredential = false;
                }
                current = next;
                continue;
            }
            return read(current, status, response, redirects);
        }
    }

    private static HttpRequest request(URI url, Credential credential, String range) throws FetchException {
        try {
            HttpRequest.Builder builder = HttpRequest.newBuilder(url).GET().timeout(RESPONSE_TIMEOUT)
                    .header("User-Agent", USER_AGENT)
                    .header("Accept-Encoding", ACCEPT_ENCODING);
            if (range != null) {
                builder.header("Range", range);
            }
            if (credential != null) {
                builder.header(credential.header(), credential.value());
            }
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new FetchException("cannot request " + url + ": " + e.getMessage());
        }
    }

    private HttpResponse<InputStream> send(HttpRequest request, URI url) throws FetchException {
        String where = url.getHost() + ":" + port(url);
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpConnectTimeoutException e) {
            throw new FetchException("timed out connecting to " + where + " (Sentry gives up after "
                    + CONNECT_TIMEOUT.toSeconds() + " s)");
        } catch (HttpTimeoutException e) {
            throw new FetchException("no response from " + where + " within " + RESPONSE_TIMEOUT.toSeconds()
                    + " s (Sentry's limit for the response headers)");
        } catch (IOException e) {
            throw new FetchException(describe(e, url, where));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException("interrupted while fetching " + url);
        } catch (IllegalArgumentException e) {
            throw new FetchException("cannot request " + url + ": " + e.getMessage());
        }
    }

    private static String describe(IOException e, URI url, String where) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SSLException) {
                return "TLS error talking to " + where + ": " + tlsReason(cause, url.getHost());
            }
            if (cause instanceof UnresolvedAddressException || cause instanceof UnknownHostException) {
                return "no such host: " + url.getHost();
            }
        }
        if (e instanceof ConnectException) {
            return "cannot connect to " + where + ": " + (e.getMessage() == null ? "connection refused" : e.getMessage());
        }
        return "could not fetch " + url + ": " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    }

    /** What went wrong in a handshake, said without the JDK's exception class names. */
    static String tlsReason(Throwable failure, String host) {
        String last = null;
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof CertPathBuilderException) {
                return "the certificate does not chain to a trusted CA; Sentry verifies certificates";
            }
            if (cause instanceof CertificateExpiredException) {
                return "the certificate has expired";
            }
            if (cause instanceof CertificateNotYetValidException) {
                return "the certificate is not valid yet";
            }
            String message = cause.getMessage();
            if (message != null && (message.contains("No subject alternative") || message.contains("No name matching"))) {
                return "the certificate is not for " + host;
            }
            if (message != null) {
                last = message;
            }
        }
        return last == null ? failure.getClass().getSimpleName()
                : last.replaceAll("(?:[a-z][a-z0-9_]*\\.)+[A-Za-z0-9_$]*(?:Exception|Error): ", "");
    }

    private Exchange read(URI url, int status, HttpResponse<InputStream> response, List<Redirect> redirects)
            throws FetchException {
        AtomicBoolean timedOut = new AtomicBoolean();
        InputStream in = response.body();
        ScheduledFuture<?> deadline = watchdog.schedule(() -> {
            timedOut.set(true);
            closeQuietly(in);
        }, DOWNLOAD_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        try (in) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                if (body.size() + (long) n > MAX_BODY) {
                    return new Exchange(url, status, response.headers(), redirects, null,
                            "more than " + Sizes.human(MAX_BODY) + " as sent; verify stops there");
                }
                body.write(buffer, 0, n);
            }
        } catch (IOException e) {
            if (timedOut.get()) {
                throw new FetchException("downloading " + url + " took longer than " + DOWNLOAD_TIMEOUT.toMinutes()
                        + " min, Sentry's limit");
            }
            throw new FetchException("the connection broke while reading " + url + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } finally {
            deadline.cancel(false);
        }
        return new Exchange(url, status, response.headers(), redirects, body.toByteArray(), null);
    }

    private static URI resolve(URI current, String location) throws FetchException {
        URI next;
        try {
            next = current.resolve(new URI(location));
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new FetchException(current + " redirects to \"" + location + "\", which is not a valid URL");
        }
        String scheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || next.getHost() == null) {
            throw new FetchException(current + " redirects to " + next + ", which is not an http(s) URL");
        }
        return next;
    }

    static boolean sameHost(URI a, URI b) {
        return a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
    }

    static int port(URI url) {
        if (url.getPort() >= 0) {
            return url.getPort();
        }
        return "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // Nothing more to read from it either way.
        }
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
    }
}
