package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class ConnectionLimitTest {

    private final ConnectionLimit limit = new ConnectionLimit(2);

    @Test
    void aConnectionOverTheLimitIsClosedAndAClosedOneMakesRoomAgain() {
        EmbeddedChannel first = new EmbeddedChannel();
        EmbeddedChannel second = new EmbeddedChannel();
        EmbeddedChannel third = new EmbeddedChannel();

        assertThat(limit.admit(first)).isTrue();
        assertThat(limit.admit(second)).isTrue();
        assertThat(limit.admit(third)).as("over the limit").isFalse();
        assertThat(third.isOpen()).as("refused at once").isFalse();
        assertThat(limit.open()).as("a refused connection is not counted").isEqualTo(2);

        first.close();
        assertThat(limit.open()).isEqualTo(1);
        EmbeddedChannel fourth = new EmbeddedChannel();
        assertThat(limit.admit(fourth)).isTrue();

        second.close();
        fourth.close();
        assertThat(limit.open()).isZero();
    }
}
