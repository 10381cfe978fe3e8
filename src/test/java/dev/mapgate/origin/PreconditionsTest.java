package dev.mapgate.origin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PreconditionsTest {

    // 2024-01-02T03:04:05Z
    private static final long MTIME = 1704164645L;
    private static final Validators CURRENT = new Validators(MTIME, 0x400);
    private static final String ETAG = "\"65937d25-400\"";
    private static final String LAST_MODIFIED = "Tue, 02 Jan 2024 03:04:05 GMT";

    @Test
    void etagAndLastModifiedUseNginxFormats() {
        assertThat(CURRENT.etag()).isEqualTo(ETAG);
        assertThat(CURRENT.lastModified()).isEqualTo(LAST_MODIFIED);
    }

    @Test
    void matchingEtagIsNotModified() {
        assertThat(Preconditions.notModified(ETAG, null, CURRENT)).isTrue();
    }

    @Test
    void etagListMatchesAnyMemberWithWeakComparison() {
        assertThat(Preconditions.notModified("\"other\", W/" + ETAG, null, CURRENT))
                .as("If-None-Match uses weak comparison, so a W/ prefix still matches")
                .isTrue();
        assertThat(Preconditions.notModified("\"a,b\",  " + ETAG, null, CURRENT))
                .as("a comma inside a quoted tag does not split the list")
                .isTrue();
    }

    @Test
    void starMatchesAnyExistingFile() {
        assertThat(Preconditions.notModified("*", null, CURRENT)).isTrue();
    }

    @Test
    void differentEtagIsModified() {
        assertThat(Preconditions.notModified("\"65937d25-401\"", null, CURRENT)).isFalse();
        assertThat(Preconditions.notModified("garbage, \"x", null, CURRENT)).isFalse();
    }

    @Test
    void ifNoneMatchOverridesIfModifiedSince() {
        assertThat(Preconditions.notModified("\"stale\"", LAST_MODIFIED, CURRENT))
                .as("a changed ETag must win even if the date says unchanged (two writes in one second)")
                .isFalse();
    }

    @Test
    void sameOrLaterDateIsNotModified() {
        assertThat(Preconditions.notModified(null, LAST_MODIFIED, CURRENT)).isTrue();
        assertThat(Preconditions.notModified(null, "Wed, 03 Jan 2024 00:00:00 GMT", CURRENT)).isTrue();
    }

    @Test
    void earlierDateIsModified() {
        assertThat(Preconditions.notModified(null, "Tue, 02 Jan 2024 03:04:04 GMT", CURRENT)).isFalse();
    }

    @Test
    void invalidDateIsIgnored() {
        assertThat(Preconditions.notModified(null, "yesterday", CURRENT)).isFalse();
    }

    @Test
    void noConditionalHeadersMeansModified() {
        assertThat(Preconditions.notModified(null, null, CURRENT)).isFalse();
    }

    @Test
    void ifRangeWithCurrentEtagOrExactDateAllowsTheRange() {
        assertThat(Preconditions.rangeAllowed(null, CURRENT)).isTrue();
        assertThat(Preconditions.rangeAllowed(ETAG, CURRENT)).isTrue();
        assertThat(Preconditions.rangeAllowed(LAST_MODIFIED, CURRENT)).isTrue();
    }

    @Test
    void ifRangeWithAnythingElseDisablesTheRange() {
        assertThat(Preconditions.rangeAllowed("W/" + ETAG, CURRENT))
                .as("If-Range uses strong comparison; a weak tag never matches")
                .isFalse();
        assertThat(Preconditions.rangeAllowed("\"old-1\"", CURRENT)).isFalse();
        assertThat(Preconditions.rangeAllowed("Wed, 03 Jan 2024 00:00:00 GMT", CURRENT))
                .as("a later date is not the version the client holds part of")
                .isFalse();
        assertThat(Preconditions.rangeAllowed("nonsense", CURRENT)).isFalse();
    }
}
