package dev.mapgate.origin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RangeRequestTest {

    private static RangeRequest part(long first, long last, long size) {
        return new RangeRequest.Part(new ByteRange(first, last, size));
    }

    @Test
    void noHeaderMeansWholeFile() {
        assertThat(RangeRequest.parse(null, 100)).isEqualTo(RangeRequest.WHOLE);
    }

    @Test
    void closedRangeIsTakenAsIs() {
        assertThat(RangeRequest.parse("bytes=10-19", 100)).isEqualTo(part(10, 19, 100));
    }

    @Test
    void openRangeRunsToTheEnd() {
        assertThat(RangeRequest.parse("bytes=90-", 100)).isEqualTo(part(90, 99, 100));
    }

    @Test
    void suffixRangeTakesTheLastBytes() {
        assertThat(RangeRequest.parse("bytes=-10", 100)).isEqualTo(part(90, 99, 100));
        assertThat(RangeRequest.parse("bytes=-1000", 100))
                .as("a suffix longer than the file is the whole file, not an error")
                .isEqualTo(part(0, 99, 100));
    }

    @Test
    void sentryFirstPartRangeOnSmallFileCoversTheWholeFile() {
        RangeRequest range = RangeRequest.parse("bytes=0-134217727", 5000);
        assertThat(range).isEqualTo(part(0, 4999, 5000));
        assertThat(((RangeRequest.Part) range).range().contentRange())
                .as("Sentry retries without Range when Content-Range lacks the real total")
                .isEqualTo("bytes 0-4999/5000");
    }

    @Test
    void startAtOrPastTheEndIsUnsatisfiable() {
        assertThat(RangeRequest.parse("bytes=100-200", 100)).isEqualTo(RangeRequest.UNSATISFIABLE);
        assertThat(RangeRequest.parse("bytes=500-", 100)).isEqualTo(RangeRequest.UNSATISFIABLE);
    }

    @Test
    void emptySuffixIsUnsatisfiable() {
        assertThat(RangeRequest.parse("bytes=-0", 100)).isEqualTo(RangeRequest.UNSATISFIABLE);
    }

    @Test
    void anyRangeOnAnEmptyFileIsUnsatisfiable() {
        assertThat(RangeRequest.parse("bytes=0-", 0)).isEqualTo(RangeRequest.UNSATISFIABLE);
        assertThat(RangeRequest.parse("bytes=-5", 0))
                .as("there is no byte to put in a Content-Range of an empty file")
                .isEqualTo(RangeRequest.UNSATISFIABLE);
    }

    @Test
    void multipleRangesAreIgnored() {
        assertThat(RangeRequest.parse("bytes=0-1,5-6", 100)).isEqualTo(RangeRequest.WHOLE);
        assertThat(RangeRequest.parse("bytes=0-1, 200-300", 100))
                .as("one unsatisfiable part does not make the ignored multi-range a 416")
                .isEqualTo(RangeRequest.WHOLE);
    }

    @Test
    void emptyListElementsDoNotCountAsRanges() {
        assertThat(RangeRequest.parse("bytes= 0-9 ,", 100)).isEqualTo(part(0, 9, 100));
    }

    @Test
    void malformedHeadersAreIgnored() {
        for (String header : new String[] {"bytes=5-2", "bytes=a-b", "bytes=-", "bytes=", "bytes 0-5",
                "items=0-5", "bytes=+1-5", "bytes=1 - 5", "bytes=--5", "0-5"}) {
            assertThat(RangeRequest.parse(header, 100)).as(header).isEqualTo(RangeRequest.WHOLE);
        }
    }

    @Test
    void unitNameIsCaseInsensitive() {
        assertThat(RangeRequest.parse("Bytes=0-0", 100)).isEqualTo(part(0, 0, 100));
    }

    @Test
    void positionsBeyondLongRangeStillParse() {
        assertThat(RangeRequest.parse("bytes=0-99999999999999999999999", 100))
                .as("an overflowing end is clamped like any other large end")
                .isEqualTo(part(0, 99, 100));
        assertThat(RangeRequest.parse("bytes=99999999999999999999999-", 100)).isEqualTo(RangeRequest.UNSATISFIABLE);
    }
}
