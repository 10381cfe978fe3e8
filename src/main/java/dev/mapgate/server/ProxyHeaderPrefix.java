package dev.mapgate.server;

import io.netty.buffer.ByteBuf;

/**
 * Tells from a connection's first bytes whether it starts with a PROXY protocol header, as early
 * as the bytes allow: a plain HTTP request differs from both signatures within its first byte or
 * two, so it is never held back waiting for more.
 */
final class ProxyHeaderPrefix {

    enum Verdict { PROXY, PLAIN, UNDECIDED }

    /** v1 starts with this text; the version-2 signature is twelve fixed bytes. */
    private static final byte[] V1 = {'P', 'R', 'O', 'X', 'Y', ' '};
    private static final byte[] V2 = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private ProxyHeaderPrefix() {
    }

    static Verdict classify(ByteBuf in) {
        Verdict v1 = against(V1, in);
        Verdict v2 = against(V2, in);
        if (v1 == Verdict.PROXY || v2 == Verdict.PROXY) {
            return Verdict.PROXY;
        }
        return v1 == Verdict.PLAIN && v2 == Verdict.PLAIN ? Verdict.PLAIN : Verdict.UNDECIDED;
    }

    /** The same for version 1 alone: whether the bytes start with {@code "PROXY "}. */
    static Verdict classifyV1(ByteBuf in) {
        return against(V1, in);
    }

    private static Verdict against(byte[] signature, ByteBuf in) {
        int n = Math.min(signature.length, in.readableBytes());
        for (int i = 0; i < n; i++) {
            if (in.getByte(in.readerIndex() + i) != signature[i]) {
                return Verdict.PLAIN;
            }
        }
        return n == signature.length ? Verdict.PROXY : Verdict.UNDECIDED;
    }
}
