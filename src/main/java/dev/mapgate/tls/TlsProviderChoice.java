package dev.mapgate.tls;

import dev.mapgate.tls.ListenTlsSettings.Provider;
import io.netty.handler.ssl.SslProvider;

/** {@code listen.tls.provider} to Netty's provider, given whether BoringSSL loads here. */
final class TlsProviderChoice {

    static final String KEY = "provider";

    private TlsProviderChoice() {
    }

    /**
     * {@link SslProvider#OPENSSL}, never {@code OPENSSL_REFCNT}: its contexts free their native
     * memory when garbage-collected, so a context swapped out by a reload needs no
     * {@code release()} racing with connections that are still being set up from it.
     *
     * @param unavailabilityCause why BoringSSL does not load; {@code null} when it does
     * @throws TlsFileProblem when "openssl" is asked for and BoringSSL does not load
     */
    static SslProvider choose(Provider requested, boolean openSslAvailable, Throwable unavailabilityCause) {
        return switch (requested) {
            case AUTO -> openSslAvailable ? SslProvider.OPENSSL : SslProvider.JDK;
            case JDK -> SslProvider.JDK;
            case OPENSSL -> {
                if (!openSslAvailable) {
                    throw new TlsFileProblem(KEY, "is \"openssl\", but BoringSSL (netty-tcnative) does not load on this "
                            + "machine (" + summary(unavailabilityCause) + "); use \"auto\" or \"jdk\"");
                }
                yield SslProvider.OPENSSL;
            }
        };
    }

    /** The cause and its root cause, on one line: netty-tcnative's own messages run over many. */
    static String summary(Throwable cause) {
        if (cause == null) {
            return "no reason given";
        }
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = describe(cause) + (root == cause ? "" : ", caused by " + describe(root));
        return text.replaceAll("\\s+", " ").strip();
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        if (message == null || message.isBlank()) {
            return t.getClass().getSimpleName();
        }
        int end = message.indexOf('\n');
        return t.getClass().getSimpleName() + ": " + (end < 0 ? message : message.substring(0, end));
    }
}
