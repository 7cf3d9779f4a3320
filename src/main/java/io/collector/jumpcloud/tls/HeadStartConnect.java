package io.collector.jumpcloud.tls;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On the connection the Devo producer opens as it starts (camel-netty's lazyChannelCreation=false):
 * that connection is a head start (its TLS handshake and its wait for a refusal run while the first
 * page is read), not a condition, but camel-netty fails the route's start, and the collector's, when
 * its connect fails. So its outcome is reported to camel-netty as done either way: a connection that
 * failed is a closed channel in the pool, which the pool drops at the first page (it checks that a
 * channel is active before using it) to connect again, as it would have without the head start.
 */
final class HeadStartConnect extends ChannelOutboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(HeadStartConnect.class);

    @Override
    public void connect(ChannelHandlerContext ctx, SocketAddress remote, SocketAddress local, ChannelPromise promise) {
        ChannelPromise connected = ctx.newPromise();
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                LOG.warn("Cannot reach the Devo relay {} as the routes start ({}); the first page connects again",
                        remote, f.cause() == null ? "cancelled" : f.cause().getMessage());
                ctx.channel().close();
            }
            promise.trySuccess();
        });
        ctx.connect(remote, local, connected);
        ctx.pipeline().remove(this);
    }
}
