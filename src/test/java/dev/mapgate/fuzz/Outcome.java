package dev.mapgate.fuzz;

import dev.mapgate.testing.TestSite;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;

/**
 * What mapgate did with one case, as seen from the client's side of the pipeline.
 *
 * @param responses           final responses in the order written (1xx not included)
 * @param informational       1xx responses written
 * @param rawMarkers          times {@link TestSite#FUZZ_MARKER} occurs in all bytes written to the client
 * @param problems            exceptions, WARN/ERROR log lines and protocol anomalies seen
 * @param openAfterInput      the connection was still open once all input had been handled
 * @param responseUnfinished  a response had begun and not ended by then
 * @param closedAfterTimeouts the connection was closed once every client timeout had passed
 * @param reset               the connection was reset while the client still wrote or read, so
 *                            responses may have been lost on the way (sockets only)
 */
record Outcome(List<Response> responses, int informational, int rawMarkers, List<String> problems,
               boolean openAfterInput, boolean responseUnfinished, boolean closedAfterTimeouts, boolean reset) {

    /**
     * One response. {@code fromMap} says it came from a map file: it carries the marker, a map's
     * ETag, or the Content-Type the origin gives only map files here.
     */
    record Response(int status, boolean markerInBody, boolean fromMap, String why, String etag) {

        /** Judges a response by its body and the two headers that tell a map's answer. */
        static Response of(int status, byte[] body, String etag, String contentType, Set<String> mapEtags) {
            boolean marker = new String(body, StandardCharsets.ISO_8859_1).contains(TestSite.FUZZ_MARKER);
            boolean mapEtag = etag != null && mapEtags.contains(etag);
            boolean mapType = contentType != null && contentType.startsWith("application/json");
            String why = (marker ? "marker " : "") + (mapEtag ? "etag " : "") + (mapType ? "content-type" : "");
            return new Response(status, marker, marker || mapEtag || mapType, why.trim(), etag);
        }
    }
}
