package io.collector.jumpcloud.tls;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Below TLS on a connection whose TLS 1.3 handshake just completed: once the relay's first whole
 * record has gone through TLS without an alert closing the connection (a session ticket, sent only
 * once the relay took the client certificate), it says so and leaves the pipeline.
 */
final class SessionTicketWatch extends ChannelInboundHandlerAdapter {
    private final TlsRecordEnds records = new TlsRecordEnds();
    private final Runnable onTicket;

    SessionTicketWatch(Runnable onTicket) {
        this.onTicket = onTicket;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        boolean whole = false;
        if (msg instanceof ByteBuf in) {
            for (int i = in.readerIndex(); i < in.writerIndex() && !whole; i++) {
                whole = records.next(in.getByte(i));
            }
        }
        ctx.fireChannelRead(msg); // TLS reads the record now: an alert fails and closes the connection
        if (whole) {
            ctx.pipeline().remove(this);
            if (ctx.channel().isActive()) {
                onTicket.run();
            }
        }
    }
}
