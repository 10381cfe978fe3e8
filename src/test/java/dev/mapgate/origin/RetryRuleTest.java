package dev.mapgate.origin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RetryRuleTest {

    @Test
    void aGetOrHeadWithoutContentOnAReusedConnectionMayGoOutAgain() {
        assertThat(RetryRule.mayRetry("GET", false, true, false)).isTrue();
        assertThat(RetryRule.mayRetry("HEAD", false, true, false)).isTrue();
    }

    @Test
    void otherMethodsAreNeverSentTwice() {
        for (String method : new String[] {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "get"}) {
            assertThat(RetryRule.mayRetry(method, false, true, false)).as(method).isFalse();
        }
    }

    @Test
    void aRequestWithContentIsNeverSentTwice() {
        assertThat(RetryRule.mayRetry("GET", true, true, false)).isFalse();
    }

    @Test
    void aNewConnectionThatClosesUnansweredIsNoStaleConnection() {
        assertThat(RetryRule.mayRetry("GET", false, false, false)).isFalse();
    }

    @Test
    void aRetryIsNotRetriedAgain() {
        assertThat(RetryRule.mayRetry("GET", false, true, true)).isFalse();
    }

    @Test
    void onlyOnceTheRequestWentOutAndBeforeAnyByteOfAnAnswer() {
        assertThat(RetryRule.retryNow(true, true, false)).isTrue();
        assertThat(RetryRule.retryNow(true, true, true)).as("an answer had begun").isFalse();
        assertThat(RetryRule.retryNow(true, false, false)).as("the request's end was still to come").isFalse();
        assertThat(RetryRule.retryNow(false, true, false)).isFalse();
    }
}
