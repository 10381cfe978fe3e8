package dev.mapgate.testing;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketChannelConfig;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * An {@link EmbeddedChannel} that passes for an accepted TCP connection from {@code remote}, so
 * that mapgate's own {@code ChannelInitializer<SocketChannel>} can build its whole client pipeline
 * on it. Nothing touches a socket: the socket options are plain fields, and shutting one
 * direction down is refused (mapgate never does).
 *
 * <p>Created unregistered: add the initializer, then {@link #register()}, as an accept would.
 */
public final class EmbeddedSocketChannel extends EmbeddedChannel implements SocketChannel {

    private final InetSocketAddress remote;
    private final InetSocketAddress local;
    /** Made on first use: EmbeddedChannel's constructor asks for it before this one has run. */
    private SocketConfig socketConfig;

    public EmbeddedSocketChannel(InetSocketAddress remote, InetSocketAddress local) {
        super(EmbeddedChannel.builder().register(false));
        this.remote = remote;
        this.local = local;
    }

    @Override
    public SocketChannelConfig config() {
        if (socketConfig == null) {
            socketConfig = new SocketConfig(this);
        }
        return socketConfig;
    }

    @Override
    public ServerSocketChannel parent() {
        return null;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) super.remoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return remote;
    }

    @Override
    protected SocketAddress localAddress0() {
        return local;
    }

    @Override
    public boolean isInputShutdown() {
        return !isOpen();
    }

    @Override
    public ChannelFuture shutdownInput() {
        return shutdownInput(newPromise());
    }

    @Override
    public ChannelFuture shutdownInput(ChannelPromise promise) {
        return promise.setFailure(new UnsupportedOperationException("half-close is not simulated"));
    }

    @Override
    public boolean isOutputShutdown() {
        return !isOpen();
    }

    @Override
    public ChannelFuture shutdownOutput() {
        return shutdownOutput(newPromise());
    }

    @Override
    public ChannelFuture shutdownOutput(ChannelPromise promise) {
        return promise.setFailure(new UnsupportedOperationException("half-close is not simulated"));
    }

    @Override
    public boolean isShutdown() {
        return !isOpen();
    }

    @Override
    public ChannelFuture shutdown() {
        return shutdown(newPromise());
    }

    @Override
    public ChannelFuture shutdown(ChannelPromise promise) {
        return promise.setFailure(new UnsupportedOperationException("half-close is not simulated"));
    }

    /** Socket options as fields: set and read back, never applied to anything. */
    private static final class SocketConfig extends DefaultChannelConfig implements SocketChannelConfig {
        private boolean tcpNoDelay;
        private int soLinger = -1;
        private int sendBufferSize = 65536;
        private int receiveBufferSize = 65536;
        private boolean keepAlive;
        private int trafficClass;
        private boolean reuseAddress;
        private boolean allowHalfClosure;

        SocketConfig(EmbeddedSocketChannel channel) {
            super(channel);
        }

        @Override
        public boolean isTcpNoDelay() {
            return tcpNoDelay;
        }

        @Override
        public SocketChannelConfig setTcpNoDelay(boolean tcpNoDelay) {
            this.tcpNoDelay = tcpNoDelay;
            return this;
        }

        @Override
        public int getSoLinger() {
            return soLinger;
        }

        @Override
        public SocketChannelConfig setSoLinger(int soLinger) {
            this.soLinger = soLinger;
            return this;
        }

        @Override
        public int getSendBufferSize() {
            return sendBufferSize;
        }

        @Override
        public SocketChannelConfig setSendBufferSize(int sendBufferSize) {
            this.sendBufferSize = sendBufferSize;
            return this;
        }

        @Override
        public int getReceiveBufferSize() {
            return receiveBufferSize;
        }

        @Override
        public SocketChannelConfig setReceiveBufferSize(int receiveBufferSize) {
            this.receiveBufferSize = receiveBufferSize;
            return this;
        }

        @Override
        public boolean isKeepAlive() {
            return keepAlive;
        }

        @Override
        public SocketChannelConfig setKeepAlive(boolean keepAlive) {
            this.keepAlive = keepAlive;
            return this;
        }

        @Override
        public int getTrafficClass() {
            return trafficClass;
        }

        @Override
        public SocketChannelConfig setTrafficClass(int trafficClass) {
            this.trafficClass = trafficClass;
            return this;
        }

        @Override
        public boolean isReuseAddress() {
            return reuseAddress;
        }

        @Override
        public SocketChannelConfig setReuseAddress(boolean reuseAddress) {
            this.reuseAddress = reuseAddress;
            return this;
        }

        @Override
        public SocketChannelConfig setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
            return this;
        }

        @Override
        public boolean isAllowHalfClosure() {
            return allowHalfClosure;
        }

        @Override
        public SocketChannelConfig setAllowHalfClosure(boolean allowHalfClosure) {
            this.allowHalfClosure = allowHalfClosure;
            return this;
        }

        @Override
        public SocketChannelConfig setConnectTimeoutMillis(int connectTimeoutMillis) {
            super.setConnectTimeoutMillis(connectTimeoutMillis);
            return this;
        }

        @Override
        @Deprecated
        public SocketChannelConfig setMaxMessagesPerRead(int maxMessagesPerRead) {
            super.setMaxMessagesPerRead(maxMessagesPerRead);
            return this;
        }

        @Override
        public SocketChannelConfig setWriteSpinCount(int writeSpinCount) {
            super.setWriteSpinCount(writeSpinCount);
            return this;
        }

        @Override
        public SocketChannelConfig setAllocator(ByteBufAllocator allocator) {
            super.setAllocator(allocator);
            return this;
        }

        @Override
        public SocketChannelConfig setRecvByteBufAllocator(RecvByteBufAllocator allocator) {
            super.setRecvByteBufAllocator(allocator);
            return this;
        }

        @Override
        public SocketChannelConfig setAutoRead(boolean autoRead) {
            super.setAutoRead(autoRead);
            return this;
        }

        @Override
        public SocketChannelConfig setAutoClose(boolean autoClose) {
            super.setAutoClose(autoClose);
            return this;
        }

        @Override
        public SocketChannelConfig setMessageSizeEstimator(MessageSizeEstimator estimator) {
            super.setMessageSizeEstimator(estimator);
            return this;
        }

        @Override
        public SocketChannelConfig setWriteBufferWaterMark(WriteBufferWaterMark writeBufferWaterMark) {
            super.setWriteBufferWaterMark(writeBufferWaterMark);
            return this;
        }
    }
}
