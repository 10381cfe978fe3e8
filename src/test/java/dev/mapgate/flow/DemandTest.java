package dev.mapgate.flow;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The pull rules on their own: what one connection's handlers see of what the decoder produced. */
class DemandTest {

    private final Demand<String> demand = new Demand<>();

    @Test
    void aMessageThatArrivesWithNobodyAskingWaits() {
        assertThat(demand.arrived("GET /a")).as("handed on without an ask").isFalse();
        assertThat(demand.waiting()).isEqualTo(1);
        assertThat(demand.isOpen()).isFalse();
    }

    @Test
    void anAskTakesTheOldestWaitingMessageAndLeavesNoDemandOpen() {
        demand.arrived("GET /a");
        demand.arrived("GET /b");

        assertThat(demand.ask()).isEqualTo("GET /a");
        assertThat(demand.isOpen()).as("the ask was met from the queue; no more input needed").isFalse();
        assertThat(demand.ask()).isEqualTo("GET /b");
        assertThat(demand.waiting()).isZero();
    }

    @Test
    void anAskWithNothingWaitingStaysOpenUntilAMessageArrives() {
        assertThat(demand.ask()).isNull();
        assertThat(demand.isOpen()).as("more input must be read").isTrue();

        assertThat(demand.arrived("GET /a")).as("meets the open ask").isTrue();
        assertThat(demand.isOpen()).isFalse();
    }

    @Test
    void onlyOneMessageGoesThroughPerAskEvenWhenManyArriveTogether() {
        demand.ask();

        assertThat(demand.arrived("GET /a")).isTrue();
        assertThat(demand.arrived("GET /b")).as("pipelined behind /a: waits").isFalse();
        assertThat(demand.arrived("GET /c")).isFalse();
        assertThat(demand.waiting()).isEqualTo(2);
    }

    @Test
    void repeatedAsksDoNotAddUp() {
        // A handler that asks "just in case" must not let a second request through.
        demand.ask();
        demand.ask();
        demand.ask();

        assertThat(demand.arrived("GET /a")).isTrue();
        assertThat(demand.arrived("GET /b")).as("three asks are still one").isFalse();
    }

    @Test
    void clearGivesBackEveryWaitingMessageInOrderAndClosesTheDemand() {
        demand.arrived("GET /a");
        demand.arrived("GET /b");

        assertThat(demand.clear()).containsExactly("GET /a", "GET /b");
        assertThat(demand.waiting()).isZero();

        demand.ask();
        demand.clear();
        assertThat(demand.isOpen()).as("a closed connection asks for nothing").isFalse();
    }
}
