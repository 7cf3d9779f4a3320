package io.collector.jumpcloud.devo;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.io.IOException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * devo.write-timeout for each write on the relay connection (a page: its promise ends when its last
 * chunk is on the socket). A relay that accepts and stops reading would otherwise hold the page's
 * route, and every route behind the shared connection, for good: past the deadline the write fails
 * with this reason (the page is not checkpointed and is sent again) and the connection is closed.
 */
public final class DevoWriteDeadline extends ChannelOutboundHandlerAdapter {
    private final long timeoutMs;

    public DevoWriteDeadline(long timeoutMs) {
        this.timeoutMs = timeoutMs;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (promise.isVoid()) {
            ctx.write(msg, promise);
            return;
        }
        ScheduledFuture<?> deadline = ctx.executor().schedule(() -> {
            if (promise.tryFailure(new IOException("the Devo relay took no more data for devo.write-timeout (" + timeoutMs / 1000.0
                    + " s): the connection is closed and the page will be sent again"))) {
                ctx.close();
            }
        }, timeoutMs, TimeUnit.MILLISECONDS);
        promise.addListener(f -> deadline.cancel(false));
        ctx.write(msg, promise);
    }
}
