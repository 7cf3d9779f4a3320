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
 * connection's pooled buffers, whole lines of up to 16 kB at a time as the connection takes them (a
 * ChunkedWriteHandler follows this handler, and {@link WholeLineRecords} makes each its own TLS record). A byte array goes out wrapped, a String body (a hand-edited route) is
 * encoded to UTF-8, each ended with LF. As with the textline codec,
 * no LF is added to a body that already ends with one. Anything else (a ByteBuf) passes unchanged.
 */
@ChannelHandler.Sharable
public final class DevoLineFramer extends ChannelOutboundHandlerAdapter {
    public static final DevoLineFramer INSTANCE = new DevoLineFramer();
    private static final byte[] LF = {'\n'};
    /** The most a TLS record carries (2^14 bytes): a chunk of whole lines fits one record. */
    static final int CHUNK = 16 * 1024;

    private DevoLineFramer() {
    }

    /** The bytes {@link #write} puts on the connection for {@code body} (UTF-8, LF-ended), without copying it. */
    public static long wireLength(Object body) {
        if (body instanceof DevoPage p) {
            return p.byteLength();
        }
        if (body instanceof byte[] b) {
            return b.length + (endsWithLf(b) ? 0 : 1);
        }
        if (body instanceof CharSequence cs) {
            long n = 0;
            for (int i = 0; i < cs.length(); i++) {
                char c = cs.charAt(i);
                n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
            }
            return n + (endsWithLf(cs) ? 0 : 1);
        }
        if (body instanceof ByteBuf b) {
            return b.writerIndex(); // read after the write: what was in it
        }
        return 0;
    }

    private static boolean endsWithLf(byte[] b) {
        return b.length > 0 && b[b.length - 1] == '\n';
    }

    private static boolean endsWithLf(CharSequence s) {
        return s.length() > 0 && s.charAt(s.length() - 1) == '\n';
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof DevoPage page) {
            // streamed by the ChunkedWriteHandler next in the pipeline, as fast as the connection takes it
            ctx.write(page.chunks(CHUNK), promise);
        } else if (msg instanceof byte[] b) {
            ctx.write(endsWithLf(b) ? Unpooled.wrappedBuffer(b) : Unpooled.wrappedBuffer(b, LF), promise);
        } else if (msg instanceof CharSequence s) {
            CharSequence line = endsWithLf(s) ? s : s + "\n";
            ByteBuf buf = ByteBufUtil.encodeString(ctx.alloc(), CharBuffer.wrap(line), StandardCharsets.UTF_8);
            ctx.write(buf, promise);
        } else {
            ctx.write(msg, promise);
        }
    }
}
