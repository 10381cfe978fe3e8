package dev.mapgate.tls;

import io.netty.handler.ssl.OpenSsl;
import org.junit.jupiter.api.Assumptions;

/** The tests that run mapgate on BoringSSL. */
final class BoringSsl {

    private BoringSsl() {
    }

    /**
     * mapgate ships netty-tcnative for Linux only, so elsewhere those tests are skipped; on Linux
     * BoringSSL must load, and a test that needs it fails when it does not.
     */
    static void require() {
        if (!OpenSsl.isAvailable() && !System.getProperty("os.name", "").startsWith("Linux")) {
            Assumptions.abort("BoringSSL (netty-tcnative) ships for Linux only: " + OpenSsl.unavailabilityCause());
        }
    }
}
