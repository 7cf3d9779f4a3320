package io.collector.jumpcloud.tls;

import io.collector.jumpcloud.observe.LogSafe;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A syslog relay sends nothing back. Bytes that come anyway (a wrong devo.host whose HTTPS server
 * answers "400", a broken relay) stop here: camel-netty would take them for the answer to the page
 * being written and end its exchange as done while the rest of the page was still to go, moving the
 * checkpoint past events never sent. They are said once per connection (escaped) and dropped; a
 * server that also closes the connection fails the page, which is sent again.
 */
final class RelayReplies extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(RelayReplies.class);

    private boolean said;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!said && msg instanceof ByteBuf b) {
                said = true;
                String start = b.toString(b.readerIndex(), Math.min(b.readableBytes(), 60), StandardCharsets.UTF_8);
                LOG.warn("The Devo relay sent back '{}' ({} bytes; a syslog relay sends nothing): ignored. Is devo.host:devo.port "
                        + "a Devo relay?", LogSafe.text(start, 120), b.readableBytes());
            }
        } finally {
            ReferenceCountUtil.release(msg); // not passed on: nothing after this reads the relay
        }
    }
}
