package dev.mapgate.verify;

import java.util.Objects;

/**
 * One line of the checklist.
 *
 * @param name       short, stable name of the check (also the JSON key a script would look for)
 * @param status     ok, warn or FAIL
 * @param url        the URL the check looked at, or {@code null}
 * @param httpStatus the final HTTP status seen, or {@code null} when no request was made
 * @param detail     what the person reading the line needs to know, in one sentence or two
 */
public record CheckResult(String name, Status status, String url, Integer httpStatus, String detail) {

    public CheckResult {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
    }

    static CheckResult ok(String name, String url, Integer httpStatus, String detail) {
        return new CheckResult(name, Status.OK, url, httpStatus, detail);
    }

    static CheckResult warn(String name, String url, Integer httpStatus, String detail) {
        return new CheckResult(name, Status.WARN, url, httpStatus, detail);
    }

    static CheckResult fail(String name, String url, Integer httpStatus, String detail) {
        return new CheckResult(name, Status.FAIL, url, httpStatus, detail);
    }
}
