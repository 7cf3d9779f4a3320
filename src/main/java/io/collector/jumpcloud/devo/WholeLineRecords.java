package io.collector.jumpcloud.devo;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * Placed right above the TLS handler: flushes each write on its own, so each chunk of a page (whole
 * lines, at most one record's 16 kB: {@link DevoPage#chunks}) becomes its own TLS record. A relay
 * decrypts whole records only, so a connection cut at any byte (the collector killed, its host
 * lost) leaves it whole lines, never the first half of one. Without this, netty's SslHandler joins
 * the writes of one flush and cuts a record every 16 kB, through the middle of lines: a SIGKILL left
 * a torn line in the Devo table. A line over 16 kB spans records and can still be cut.
 */
@ChannelHandler.Sharable
public final class WholeLineRecords extends ChannelOutboundHandlerAdapter {
    public static final WholeLineRecords INSTANCE = new WholeLineRecords();

    private WholeLineRecords() {
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ctx.write(msg, promise);
        ctx.flush();
    }
}
