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
    private final long maxBody;
    private final Duration downloadTimeout;
    private final CredentialScope scope;

    /** Sentry's limits, verify's default body cap, and the credential sent to any host. */
    public SentryFetcher() {
        this(MAX_BODY, DOWNLOAD_TIMEOUT, CredentialScope.anyHost());
    }

    /**
     * @param maxBody         most bytes of one body, as sent and once decoded; the Java heap lowers it
     *                        further (see {@link #effectiveMaxBody()})
     * @param downloadTimeout how long one body may take to arrive in full
     * @param scope           the hosts the credential may go to; elsewhere it is left off
     */
    SentryFetcher(long maxBody, Duration downloadTimeout, CredentialScope scope) {
        this.maxBody = maxBody;
        this.downloadTimeout = downloadTimeout;
        this.scope = scope;
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
        long max = effectiveMaxBody();
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
        if (part.total() > max) {
            throw new LimitExceeded(url + " is " + Sizes.human(part.total()) + " in total, more than verify reads ("
                    + limitText() + ")");
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

    private Fetched decoded(URI url, Exchange exchange, byte[] raw, RangeOutcome range, String problem) {
        String encoding = exchange.headers.firstValue("Content-Encoding").orElse(null);
        byte[] body = null;
        if (problem == null) {
            try {
                body = ContentDecoding.decode(encoding, raw, effectiveMaxBody());
            } catch (ContentDecoding.TooLarge e) {
                throw new LimitExceeded(url + ": " + e.getMessage() + " (" + limitText() + ")");
            } catch (ContentDecoding.DecodingException e) {
                problem = e.getMessage();
            }
        }
        long encodedSize = raw == null ? exchange.raw == null ? 0 : exchange.raw.length : raw.length;
        return new Fetched(url, exchange.finalUrl, exchange.status, exchange.headers, exchange.redirects, body,
                encodedSize, encoding, range, problem, exchange.credentialWithheld);
    }

    /**
     * The body cap in force: the configured one, or an eighth of the Java heap if that is less,
     * so that a body at the cap as received, its decoded copy and the parsed map all fit. A compression
     * bomb then ends the run with one line, never with an OutOfMemoryError.
     */
    long effectiveMaxBody() {
        return Math.min(maxBody, Runtime.getRuntime().maxMemory() / 8);
    }

    private String limitText() {
        long effective = effectiveMaxBody();
        return effective < maxBody
                ? "verify's limit is " + Sizes.human(effective) + ", an eighth of the Java heap; --max-body is " + Sizes.human(maxBody)
                : "verify's limit, --max-body, is " + Sizes.human(maxBody);
    }

    /** A response after redirects, its body as received (not decoded), or why the body is missing. */
    private record Exchange(URI finalUrl, int status, HttpHeaders headers, List<Redirect> redirects, byte[] raw,
            String problem, boolean credentialWithheld) {}

    private Exchange exchange(URI url, Credential credential, String range) throws FetchException {
        List<Redirect> redirects = new ArrayList<>();
        URI current = url;
        boolean sendCredential = credential != null;
        boolean withheld = false;
        while (true) {
            // Only to the hosts in scope, on every hop: a redirect may lead anywhere.
            boolean send = sendCredential && scope.allows(current);
            withheld |= sendCredential && !send;
            HttpResponse<InputStream> response = send(request(current, send ? credential : null, range), current);
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
            return read(current, status, response, redirects, withheld);
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

    private Exchange read(URI url, int status, HttpResponse<InputStream> response, List<Redirect> redirects,
                          boolean withheld) throws FetchException {
        long max = effectiveMaxBody();
        AtomicBoolean timedOut = new AtomicBoolean();
        InputStream in = response.body();
        ScheduledFuture<?> deadline = watchdog.schedule(() -> {
            timedOut.set(true);
            closeQuietly(in);
        }, downloadTimeout.toMillis(), TimeUnit.MILLISECONDS);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[64 * 1024];
        try (in) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                if (body.size() + (long) n > max) {
                    throw new LimitExceeded(url + " sends more than " + Sizes.human(max) + "; verify stops there ("
                            + limitText() + ")");
                }
                body.write(buffer, 0, n);
            }
        } catch (IOException e) {
            if (timedOut.get()) {
                throw new FetchException("downloading " + url + " took longer than " + downloadTimeout.toSeconds()
                        + " s" + (downloadTimeout.equals(DOWNLOAD_TIMEOUT) ? ", Sentry's limit" : ""));
            }
            throw new FetchException("the connection broke while reading " + url + ": "
                    + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        } finally {
            deadline.cancel(false);
        }
        return new Exchange(url, status, response.headers(), redirects, body.toByteArray(), null, withheld);
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
