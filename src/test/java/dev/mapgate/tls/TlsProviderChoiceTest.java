package dev.mapgate.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.mapgate.tls.ListenTlsSettings.Provider;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.Test;

class TlsProviderChoiceTest {

    static final Throwable NOT_LOADED = new UnsatisfiedLinkError("failed to load the required native library\n"
            + "  tried netty_tcnative_linux_x86_64");

    @Test
    void autoTakesBoringSslWhereItLoadsAndTheJdkElsewhere() {
        assertThat(TlsProviderChoice.choose(Provider.AUTO, true, null)).isEqualTo(SslProvider.OPENSSL);
        assertThat(TlsProviderChoice.choose(Provider.AUTO, false, NOT_LOADED))
                .as("auto never fails for want of BoringSSL").isEqualTo(SslProvider.JDK);
    }

    @Test
    void jdkIsTheJdkEvenWhereBoringSslLoads() {
        assertThat(TlsProviderChoice.choose(Provider.JDK, true, null)).isEqualTo(SslProvider.JDK);
    }

    @Test
    void opensslIsTheProviderThatFreesItsContextsWithoutARelease() {
        assertThat(TlsProviderChoice.choose(Provider.OPENSSL, true, null))
                .as("not OPENSSL_REFCNT: a reload swaps contexts that connections may still hold")
                .isEqualTo(SslProvider.OPENSSL);
    }

    @Test
    void opensslWhereBoringSslDoesNotLoadIsRefusedWithTheReasonOnOneLine() {
        TlsFileProblem problem = catchThrowableOfType(TlsFileProblem.class,
                () -> TlsProviderChoice.choose(Provider.OPENSSL, false, new IllegalStateException("wrapped", NOT_LOADED)));

        assertThat(problem.key()).isEqualTo("provider");
        assertThat(problem.getMessage()).as("says why, and what to choose instead, on one line")
                .contains("BoringSSL", "IllegalStateException: wrapped",
                        "caused by UnsatisfiedLinkError: failed to load the required native library", "\"auto\" or \"jdk\"")
                .doesNotContain("\n", "tried netty_tcnative");
    }
}
