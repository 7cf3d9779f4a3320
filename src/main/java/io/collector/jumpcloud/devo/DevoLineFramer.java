package io.collector.jumpcloud.devo;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The relay connection's framing (the endpoint has no {@code textline} codec): a page's lines, the
 * {@link DevoPage} {@link DevoLines} made, are copied from the pages JumpCloud sent straight into the
 * connection's pooled buffers, 64 kB at a time as the connection takes them (a ChunkedWriteHandler
 * follows this handler). A byte array goes out wrapped, a String body (a hand-edited route) is
 * encoded to UTF-8, each ended with LF. As with the textline codec,
 * no LF is added to a body that already ends with one. Anything else (a ByteBuf) passes unchanged.
 */
@ChannelHandler.Sharable
public final class DevoLineFramer extends ChannelOutboundHandlerAdapter {
    public static final DevoLineFramer INSTANCE = new DevoLineFramer();
    private static final byte[] LF = {'\n'};
    static final int CHUNK = 64 * 1024;

    private DevoLineFramer() {
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof DevoPage page) {
            // streamed by the ChunkedWriteHandler next in the pipeline, as fast as the connection takes it
            ctx.write(page.chunks(CHUNK), promise);
        } else if (msg instanceof byte[] b) {
            ctx.write(b.length > 0 && b[b.length - 1] == '\n' ? Unpooled.wrappedBuffer(b) : Unpooled.wrappedBuffer(b, LF), promise);
        } else if (msg instanceof CharSequence s) {
            CharSequence line = s.length() > 0 && s.charAt(s.length() - 1) == '\n' ? s : s + "\n";
            ByteBuf buf = ByteBufUtil.encodeString(ctx.alloc(), CharBuffer.wrap(line), StandardCharsets.UTF_8);
            ctx.write(buf, promise);
        } else {
            ctx.write(msg, promise);
        }
    }
}
