package dev.mapgate.server;

import static net.logstash.logback.argument.StructuredArguments.v;

import dev.mapgate.gate.ClientAddress;
import dev.mapgate.gate.Decision;
import dev.mapgate.gate.RequestTarget;
import io.netty.channel.Channel;
import io.netty.util.NetUtil;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request on its own logger, {@code mapgate.access}, so operators can route, filter
 * or mute it in logback.xml. It carries names, never secrets: the credential column is the
 * configured name of the token or user that matched, and the path is the canonical path without
 * the query, where a careless client may put a token.
 *
 * <p>Every field is also a structured argument: a pattern layout prints the message below as
 * {@code key=value} text, and a JSON encoder (LogstashEncoder) writes each field under its own
 * name, numbers as numbers. Both read the same values, so the two forms always agree.
 *
 * <p>The event loop only copies the line's values ({@link AccessLine}); one writer thread formats
 * and writes them ({@link AccessLogQueue}). A line's timestamp is therefore when it was written,
 * normally a few milliseconds after the response ended, and its thread is
 * {@code mapgate-access-log}; {@code duration_ms} is measured on the event loop.
 */
final class AccessLog {

    private static final Logger LOG = LoggerFactory.getLogger("mapgate.access");

    /**
     * The text form. Each placeholder takes a {@code v(name, value)} argument, which prints only
     * its value here; the name is the JSON field's, and matches the key written before it.
     * {@code bytes_in} has no placeholder: JSON only, so the text line keeps its long-standing shape.
     */
    private static final String LINE = "client={} peer={} method={} path={} status={} bytes={} duration_ms={}"
            + " route={} decision={} reason={} credential={} completed={} ua=\"{}\"";

    /**
     * The text form of a request a named site judged: {@code site} goes last, so that a parser
     * that reads the fields up to {@code ua} by position still reads them, and a config without
     * sites logs exactly the line it always did. JSON has {@code site} on every line.
     */
    private static final String SITE_LINE = LINE + " site={}";

    /** Longest client-chosen string kept, so one request cannot write a huge line. */
    private static final int MAX_CLIENT_TEXT = 256;

    /** Lines that may wait for the writer thread; at 50,000 requests a second, a third of a second. */
    static final int QUEUE_CAPACITY = 16_384;

    private static final AccessLogQueue QUEUE = new AccessLogQueue(QUEUE_CAPACITY, AccessLog::write,
            BatchedStdoutAppender::flushAll, Duration.ofSeconds(10));

    private AccessLog() {
    }

    /** Called on the event loop: copies what the line needs and hands it to the writer thread. */
    static void log(Channel channel, Exchange exchange, boolean completed) {
        if (LOG.isInfoEnabled()) {
            QUEUE.offer(AccessLine.of(channel, exchange, completed));
        }
    }

    /** Lines lost because the writer thread could not keep up. */
    static long dropped() {
        return QUEUE.dropped();
    }

    /** Waits for the lines of the requests served so far to be written; at shutdown. */
    static boolean flush(Duration timeout) {
        return QUEUE.flush(timeout);
    }

    /** Formats and writes one line; on the writer thread, or directly in tests. */
    static void write(AccessLine line) {
        Decision decision = line.decision();
        RequestTarget target = line.target();
        String site = decision == null ? null : decision.site();
        LOG.info(site == null ? LINE : SITE_LINE,
                v("client", client(line)),
                v("peer", address(line.tcpPeer())),
                v("method", line.method().name()),
                // encodedPath is percent-encoded ASCII and never includes the query.
                v("path", target == null ? "-" : target.encodedPath()),
                v("status", line.status()),
                v("bytes", line.bytesOut()),
                // Milliseconds with one decimal, truncated: "12.3" in text, 12.3 in JSON.
                v("duration_ms", BigDecimal.valueOf(line.micros() / 100, 1)),
                v("route", decision == null ? "-" : decision.route().label()),
                v("decision", decision == null ? "-" : decision.allowed() ? "allowed" : "denied"),
                v("reason", decision == null || decision.reason() == null ? "-" : decision.reason().label()),
                v("credential", printable(decision == null ? null : decision.credentialName())),
                v("completed", line.completed()),
                v("ua", printable(line.userAgent())),
                v("site", printable(site)),
                v("bytes_in", line.bytesIn()));
    }

    /**
     * The address the gate judged the request by; before the gate has looked (a request the codec
     * refused), the connection's peer (a trusted PROXY header's source, else the TCP peer); "-"
     * when a trusted proxy's report was unreadable.
     */
    private static String client(AccessLine line) {
        ClientAddress client = line.client();
        if (client == null) {
            return address(line.connectionPeer() != null ? line.connectionPeer() : line.tcpPeer());
        }
        return client.address() == null ? "-" : NetUtil.toAddressString(client.address());
    }

    private static String address(SocketAddress peer) {
        return peer instanceof InetSocketAddress inet && inet.getAddress() != null
                ? NetUtil.toAddressString(inet.getAddress()) : String.valueOf(peer);
    }

    /**
     * Keeps a client-chosen string from forging text lines or fields. JSON would escape these
     * itself, but both forms share the value, and a field that differs between them would
     * confuse whoever moves a query from one to the other.
     */
    private static String printable(String s) {
        if (s == null || s.isEmpty()) {
            return "-";
        }
        StringBuilder out = new StringBuilder(Math.min(s.length(), MAX_CLIENT_TEXT));
        for (int i = 0; i < s.length() && i < MAX_CLIENT_TEXT; i++) {
            char c = s.charAt(i);
            out.append(c < 0x20 || c == 0x7f || c == '"' || c == '\\' ? '?' : c);
        }
        return out.toString();
    }
}
