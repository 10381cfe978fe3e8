package dev.mapgate.fuzz;

import dev.mapgate.gate.FailureThrottle;
import dev.mapgate.metrics.Metrics;
import dev.mapgate.server.ClientPipelines;
import dev.mapgate.testing.EmbeddedSocketChannel;
import dev.mapgate.testing.TestMapgate;
import dev.mapgate.testing.TestSite;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.FileRegion;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.ResourceLeakDetector;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Runs a case through mapgate's production client pipeline on an in-memory channel
 * ({@link TestMapgate#inMemory}), with the built-in static origin serving {@link TestSite#fuzz()}.
 * Time is frozen and moved on by hand, so timeouts fire deterministically and at once.
 */
final class CaseRunner implements AutoCloseable {

    /** Longer than any client timeout in the fuzz configs, so each step lets at least one fire. */
    private static final long TIME_STEP_SECONDS = 7;
    private static final int TIME_STEPS = 5;
    private static final int MAX_TASK_ROUNDS = 100;
    /**
     * Every buffer of a paranoid case is tracked with a stack trace at each access, which makes a
     * case some 25 times slower; the others use the sampling detector, which still reports leaks.
     */
    private static final int PARANOID_EVERY = 16;

    private final Setups site;
    private final Metrics metrics = Metrics.inMemory();
    private final LogAlarm alarm = LogAlarm.attach();
    private final Set<String> mapEtags = new HashSet<>();

    CaseRunner(Setups site) {
        this.site = site;
        learnMapEtags();
    }

    /**
     * The ETag of every map file, as an allowed client sees it; responses that carry one came from
     * a map even when their body is too short to hold the marker (a small Range, HEAD, 304).
     */
    private void learnMapEtags() {
        for (String path : Setups.MAP_PATHS) {
            FuzzCase fetch = FuzzCase.replay(Setup.PEER, Setups.ALLOWED_IP, "GET " + path + " HTTP/1.1\r\nHost: "
                    + Setups.HOST + "\r\nX-Sentry-Token: " + Setups.TOKEN + "\r\n\r\n");
            Outcome outcome = run(fetch);
            if (outcome.responses().size() != 1 || !outcome.responses().get(0).markerInBody()
                    || outcome.responses().get(0).etag() == null) {
                throw new IllegalStateException("an allowed client could not fetch " + path + ": " + outcome);
            }
            mapEtags.add(outcome.responses().get(0).etag());
        }
    }

    Outcome run(FuzzCase c) {
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        // Replayed cases (index -1) are always paranoid.
        if (c.index() > 0 && c.index() % PARANOID_EVERY != 0 && level == ResourceLeakDetector.Level.PARANOID) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.SIMPLE);
        }
        try {
            return runAtLevel(c);
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
    }

    private Outcome runAtLevel(FuzzCase c) {
        List<String> problems = new ArrayList<>();
        // A throttle per case, so that a case does the same alone as in a run; a small one, since
        // the fuzz never has more than a few addresses in it.
        EmbeddedSocketChannel channel = TestMapgate.inMemory(site.settings(c.setup()), metrics, new FailureThrottle(64),
                new InetSocketAddress(literal(c.peer()), 40000));
        ResponseRecorder recorder = new ResponseRecorder(mapEtags);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            channel.register();
            // From here on time moves only when the test moves it.
            channel.freezeTime();
            channel.pipeline().addAfter(ClientPipelines.HTTP_CODEC, "fuzz-responses", recorder);
            channel.pipeline().addBefore(ClientPipelines.ERRORS, "fuzz-errors", new ErrorRecorder(problems));
            int offset = 0;
            for (int length : c.writes()) {
                if (!channel.isOpen()) {
                    break;
                }
                ByteBuf piece = channel.alloc().buffer(length).writeBytes(c.bytes(), offset, length);
                offset += length;
                channel.writeInbound(piece);
                settle(channel, out);
            }
        } catch (Throwable e) {
            problems.add("[exception] out of the pipeline: " + trace(e));
        }
        boolean openAfterInput = channel.isOpen();
        boolean unfinished = recorder.inResponse();
        try {
            for (int step = 0; step < TIME_STEPS && channel.isOpen(); step++) {
                channel.advanceTimeBy(TIME_STEP_SECONDS, TimeUnit.SECONDS);
                channel.runScheduledPendingTasks();
                settle(channel, out);
            }
        } catch (Throwable e) {
            problems.add("[exception] while timeouts ran: " + trace(e));
        }
        boolean closed = !channel.isOpen();
        Object stray;
        while ((stray = channel.readInbound()) != null) {
            problems.add("[unhandled message] reached the end of the pipeline: " + stray.getClass().getSimpleName());
            ReferenceCountUtil.release(stray);
        }
        try {
            drain(channel, out);
            channel.finishAndReleaseAll();
        } catch (Throwable e) {
            problems.add("[exception] while closing: " + trace(e));
        }
        problems.addAll(recorder.anomalies);
        problems.addAll(alarm.drain());
        String written = out.toString(StandardCharsets.ISO_8859_1);
        return new Outcome(List.copyOf(recorder.responses), recorder.informational, count(written, TestSite.FUZZ_MARKER),
                problems, openAfterInput, unfinished, closed, false);
    }

    /** Runs what the event loop has queued (bcrypt results, listeners) and collects the output. */
    private static void settle(EmbeddedSocketChannel channel, ByteArrayOutputStream out) {
        for (int round = 0; round < MAX_TASK_ROUNDS && channel.hasPendingTasks(); round++) {
            channel.runPendingTasks();
        }
        drain(channel, out);
    }

    private static void drain(EmbeddedSocketChannel channel, ByteArrayOutputStream out) {
        Object msg;
        while ((msg = channel.readOutbound()) != null) {
            try {
                if (msg instanceof ByteBuf buf) {
                    byte[] bytes = new byte[buf.readableBytes()];
                    buf.getBytes(buf.readerIndex(), bytes);
                    out.writeBytes(bytes);
                } else if (msg instanceof FileRegion region) {
                    ResponseRecorder.copy(region, out);
                } else {
                    throw new IllegalStateException("unexpected outbound " + msg.getClass().getName());
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    private static InetAddress literal(String ip) {
        try {
            return InetAddress.getByName(ip);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(ip, e);
        }
    }

    static String trace(Throwable e) {
        StringBuilder out = new StringBuilder(e.toString());
        StackTraceElement[] frames = e.getStackTrace();
        for (int i = 0; i < frames.length && i < 8; i++) {
            out.append("\n      at ").append(frames[i]);
        }
        return out.toString();
    }

    LogAlarm alarmForHunt() {
        return alarm;
    }

    /**
     * Leaks reported so far: the detector notices a buffer only once it has been collected, and
     * says so while tracking a later allocation. So collect, then allocate a little.
     */
    List<String> leaks() throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(20);
            for (int i = 0; i < 64; i++) {
                ByteBufAllocator.DEFAULT.directBuffer(16).release();
                ByteBufAllocator.DEFAULT.heapBuffer(16).release();
            }
        }
        return alarm.drain();
    }

    @Override
    public void close() {
        alarm.close();
    }

    /**
     * Just before mapgate's last handler: records every error that reached the end of the
     * pipeline, which mapgate would log at DEBUG and close the connection for. In memory there is
     * no network to fail, so each one is a fault of mapgate's.
     */
    private static final class ErrorRecorder extends ChannelInboundHandlerAdapter {
        private final List<String> problems;

        ErrorRecorder(List<String> problems) {
            this.problems = problems;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            problems.add("[exception] reached the end of the pipeline: " + trace(cause));
            ctx.fireExceptionCaught(cause);
        }
    }
}
