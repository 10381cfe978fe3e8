package dev.mapgate.origin;

import io.netty.handler.codec.DateFormatter;
import java.util.Date;

/**
 * The validators of one file version: its modification time at whole seconds (the precision of
 * HTTP dates, so Last-Modified and If-Modified-Since compare exactly) and its size.
 */
public record Validators(long modifiedSeconds, long size) {

    /**
     * Strong ETag in nginx's format, so a cache warmed by nginx serving the same files keeps its
     * entries when mapgate takes over.
     */
    public String etag() {
        return "\"" + Long.toHexString(modifiedSeconds) + '-' + Long.toHexString(size) + '"';
    }

    /** Last-Modified as an IMF-fixdate. */
    public String lastModified() {
        return DateFormatter.format(new Date(modifiedSeconds * 1000));
    }
}
