package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.BindException;
import org.junit.jupiter.api.Test;

class ListenFailureTest {

    @Test
    void aTakenPortReadsTheSameWhicheverTransportFailedToBind() {
        String expected = "mapgate.listen: cannot listen on 0.0.0.0:8080: address already in use: another process"
                + " listens on port 8080; stop it or choose another mapgate.listen.port";

        assertThat(new ListenFailure("mapgate.listen", "0.0.0.0", 8080, new BindException("Address already in use")))
                .as("NIO").hasMessage(expected);
        assertThat(new ListenFailure("mapgate.listen", "0.0.0.0", 8080,
                new IOException("bind(..) failed with error(-98): Address already in use")))
                .as("the shape of epoll's and io_uring's message (the real one is in SilentMistakesTest)").hasMessage(expected);
    }

    @Test
    void anAddressOfAnotherMachineAndAPrivilegedPortSayWhatToChange() {
        assertThat(new ListenFailure("mapgate.admin", "10.9.9.9", 9090,
                new BindException("Cannot assign requested address")))
                .hasMessageEndingWith("address not available: it is not an address of this machine; set"
                        + " mapgate.admin.host to one of its addresses, or 0.0.0.0 for all");
        assertThat(new ListenFailure("mapgate.listen", "::", 443, new BindException("Permission denied")))
                .hasMessage("mapgate.listen: cannot listen on [::]:443: permission denied: a port below 1024 needs"
                        + " root or CAP_NET_BIND_SERVICE; choose mapgate.listen.port of 1024 or above, or grant the"
                        + " capability");
    }

    @Test
    void anythingElseKeepsTheSystemsWordsWithoutNettysPrefix() {
        assertThat(new ListenFailure("mapgate.listen", "127.0.0.1", 8080,
                new IOException("bind(..) failed with error(-22): Invalid argument")))
                .hasMessageEndingWith("127.0.0.1:8080: Invalid argument");
    }
}
