package dev.mapgate.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mapgate.server.ProxyHeaderPrefix.Verdict;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ProxyHeaderPrefixTest {

    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    @Test
    void aV1HeaderIsRecognisedOnceItsSixByteKeywordHasArrived() {
        assertThat(classify("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n")).isEqualTo(Verdict.PROXY);
        assertThat(classify("PROXY ")).isEqualTo(Verdict.PROXY);
        assertThat(classify("PROX")).as("could still become a PROXY header").isEqualTo(Verdict.UNDECIDED);
    }

    @Test
    void aV2SignatureIsRecognisedOnlyWhenAllTwelveBytesMatch() {
        assertThat(classify(V2_SIGNATURE)).isEqualTo(Verdict.PROXY);
        byte[] partial = java.util.Arrays.copyOf(V2_SIGNATURE, 7);
        assertThat(classify(partial)).isEqualTo(Verdict.UNDECIDED);
        byte[] diverging = V2_SIGNATURE.clone();
        diverging[11] = 'X';
        assertThat(classify(diverging)).isEqualTo(Verdict.PLAIN);
    }

    @Test
    void anHttpRequestIsPlainFromItsFirstByteSoItIsNeverHeldBack() {
        assertThat(classify("G")).isEqualTo(Verdict.PLAIN);
        assertThat(classify("GET / HTTP/1.1\r\n")).isEqualTo(Verdict.PLAIN);
        assertThat(classify("PUT /x HTTP/1.1\r\n")).as("shares only its first letter with PROXY").isEqualTo(Verdict.PLAIN);
        assertThat(classify("PROXYX")).isEqualTo(Verdict.PLAIN);
    }

    @Test
    void nothingYetIsUndecided() {
        assertThat(classify(new byte[0])).isEqualTo(Verdict.UNDECIDED);
    }

    @Test
    void theV1ClassificationTakesAV2SignatureForSomethingElse() {
        assertThat(classifyV1("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n")).isEqualTo(Verdict.PROXY);
        assertThat(classifyV1("PROX")).isEqualTo(Verdict.UNDECIDED);
        assertThat(classifyV1(V2_SIGNATURE)).as("a v2 header is not the v1 check's to judge").isEqualTo(Verdict.PLAIN);
        assertThat(classifyV1("PROXY\tTCP4")).isEqualTo(Verdict.PLAIN);
    }

    @Test
    void classifyingDoesNotConsumeTheBytes() {
        ByteBuf in = Unpooled.copiedBuffer("GET / HTTP/1.1\r\n", StandardCharsets.US_ASCII);
        try {
            ProxyHeaderPrefix.classify(in);
            assertThat(in.readerIndex()).isZero();
        } finally {
            in.release();
        }
    }

    private static Verdict classifyV1(String text) {
        return classifyV1(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static Verdict classifyV1(byte[] bytes) {
        return on(bytes, ProxyHeaderPrefix::classifyV1);
    }

    private static Verdict classify(String text) {
        return classify(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static Verdict classify(byte[] bytes) {
        return on(bytes, ProxyHeaderPrefix::classify);
    }

    private static Verdict on(byte[] bytes, Function<ByteBuf, Verdict> classifier) {
        ByteBuf in = Unpooled.wrappedBuffer(bytes);
        try {
            return classifier.apply(in);
        } finally {
            in.release();
        }
    }
}
