package dev.mapgate.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Which admin connection gives way to a new one, with connections named by strings. */
class ConnectionSlotsTest {

    private final ConnectionSlots<String> slots = new ConnectionSlots<>(3);

    /** Admits each and checks that none had to give way. */
    private void admitted(String... connections) {
        for (String c : connections) {
            assertThat(slots.admit(c)).as("%s while there is room", c)
                    .isEqualTo(new ConnectionSlots.Admission<>(true, null));
        }
    }

    /** A connection that sent a request, got its answer, and waits for the next. */
    private void keptAlive(String connection) {
        slots.headArrived(connection);
        slots.answered(connection);
    }

    @Test
    void belowTheLimitEveryConnectionIsTakenInAndNoneGivesWay() {
        admitted("a", "b", "c");

        assertThat(slots.open()).isEqualTo(3);
    }

    @Test
    void whenFullTheConnectionSilentLongestSinceItConnectedGivesWay() {
        admitted("flood-1", "flood-2", "flood-3");

        assertThat(slots.admit("probe").evicted()).isEqualTo("flood-1");
        assertThat(slots.admit("probe-2").evicted()).isEqualTo("flood-2");
        assertThat(slots.open()).as("the limit holds").isEqualTo(3);
    }

    @Test
    void aNewcomerThatSendsItsHeadAtOnceOutlastsTheFloodBehindIt() {
        admitted("flood-1", "flood-2", "flood-3");
        slots.admit("probe");
        slots.headArrived("probe");

        for (int i = 4; i < 100; i++) {
            assertThat(slots.admit("flood-" + i).evicted()).as("flood-%d's eviction", i).isNotEqualTo("probe");
        }
    }

    @Test
    void slowSendersGiveWayBeforeAKeptAliveScraper() {
        admitted("scraper");
        keptAlive("scraper");
        admitted("slow-1", "slow-2");

        assertThat(slots.admit("new-1").evicted()).isEqualTo("slow-1");
        assertThat(slots.admit("new-2").evicted()).isEqualTo("slow-2");
        assertThat(slots.admit("new-3").evicted()).as("a newcomer is itself a silent connection").isEqualTo("new-1");
    }

    @Test
    void withoutSlowSendersTheLongestIdleKeptAliveConnectionGivesWay() {
        admitted("a", "b", "c");
        keptAlive("b");
        keptAlive("a");
        keptAlive("c");

        assertThat(slots.admit("probe").evicted()).as("idle since the earliest answer").isEqualTo("b");
    }

    @Test
    void aKeptAliveConnectionThatBeginsARequestQueuesAsASlowSenderFromThatMoment() {
        admitted("a", "b", "c");
        keptAlive("a");
        keptAlive("b");
        keptAlive("c");
        slots.requestStarted("b");
        slots.requestStarted("a");

        assertThat(slots.admit("d").evicted()).as("part-way through a head, since before a").isEqualTo("b");
        assertThat(slots.admit("e").evicted()).isEqualTo("a");
        assertThat(slots.admit("f").evicted()).isEqualTo("d");
    }

    @Test
    void aConnectionBeingAnsweredNeverGivesWayAndWhenAllAreTheNewcomerIsRefused() {
        admitted("a", "b", "c");
        slots.headArrived("a");
        slots.headArrived("b");
        slots.headArrived("c");

        assertThat(slots.admit("d")).isEqualTo(new ConnectionSlots.Admission<>(false, null));
        assertThat(slots.open()).isEqualTo(3);

        slots.answered("b");
        assertThat(slots.admit("d").evicted()).as("once answered, b waits like any kept-alive connection")
                .isEqualTo("b");
    }

    @Test
    void aClosedConnectionFreesItsSlotWhateverItWasDoing() {
        admitted("a", "b", "c");
        keptAlive("b");
        slots.headArrived("c");
        slots.closed("a");
        slots.closed("b");
        slots.closed("c");

        assertThat(slots.open()).isZero();
        admitted("d", "e", "f");
    }

    @Test
    void closingAConnectionThatAlreadyGaveWayChangesNothing() {
        admitted("a", "b", "c");
        String evicted = slots.admit("d").evicted();

        slots.closed(evicted);

        assertThat(slots.open()).as("b, c and d").isEqualTo(3);
        assertThat(slots.admit("e").evicted()).isEqualTo("b");
    }

    @Test
    void eventsForAConnectionThatIsNotHeldAreIgnored() {
        admitted("a");
        slots.requestStarted("ghost");
        slots.headArrived("ghost");
        slots.answered("ghost");

        assertThat(slots.open()).isEqualTo(1);
    }

    @Test
    void aLimitBelowOneIsRefused() {
        assertThatThrownBy(() -> new ConnectionSlots<>(0)).isInstanceOf(IllegalArgumentException.class);
    }
}
