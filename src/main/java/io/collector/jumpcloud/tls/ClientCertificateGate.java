package io.collector.jumpcloud.tls;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.TimeUnit;

/**
 * With TLS 1.3 the relay checks the client certificate after the client already considers the
 * handshake done, so a refused certificate shows up as an alert a round trip later, and the first
 * writes would be reported as sent while the relay drops them. This holds the writes of a new
 * connection for about two handshake round trips; if the relay closes the connection in that time,
 * the held writes fail (so the page is not checkpointed and is sent again), otherwise they go out.
 * The relay's session ticket, sent once its TLS took the certificate, shortens the wait to the grace
 * the start-up probe gives a check after it ({@link RelayProbe#TICKET_GRACE_MS}).
 */
public final class ClientCertificateGate extends ChannelDuplexHandler {
    public static final long MIN_WAIT_MS = 200;
    static final long MAX_WAIT_MS = 3000;

    private final long connectStartedNanos = System.nanoTime();
    /** The start-up probe's verdict on the certificate: writes also wait for it (done at once after the start). */
    private final java.util.concurrent.CompletableFuture<?> relayVerdict;

    ClientCertificateGate(java.util.concurrent.CompletableFuture<?> relayVerdict) {
        this.relayVerdict = relayVerdict;
    }
    private final Queue<Object[]> held = new ArrayDeque<>();
    private boolean open;
    private boolean failed;
    private IOException failure;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (open) {
            ctx.write(msg, promise);
        } else if (failed) {
            io.netty.util.ReferenceCountUtil.release(msg);
            promise.setFailure(failure);
        } else {
            held.add(new Object[] {msg, promise});
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (open) {
            ctx.flush();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent e) {
            if (!e.isSuccess()) {
                failClosed(ctx, e.cause());
            } else if (!"TLSv1.3".equals(ctx.pipeline().get(SslHandler.class).engine().getSession().getProtocol())) {
                relayVerdict.whenComplete((ok, refused) -> ctx.executor().execute(() -> {
                    if (refused != null) {
                        failRefusedAtStart(ctx, refused);
                    } else {
                        release(ctx); // TLS 1.2 refuses a client certificate inside the handshake
                    }
                }));
            } else {
                long handshakeMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connectStartedNanos);
                long wait = Math.max(MIN_WAIT_MS, Math.min(MAX_WAIT_MS, 2 * handshakeMs));
                ctx.executor().schedule(() -> afterWait(ctx), wait, TimeUnit.MILLISECONDS);
                // the relay's session ticket says its TLS took the certificate: from it, the probe's grace
                // for a check the relay makes after it (a cold start's slow handshake no longer doubles the wait)
                ctx.pipeline().addBefore("ssl", "session-ticket-watch", new SessionTicketWatch(() ->
                        ctx.executor().schedule(() -> afterWait(ctx), RelayProbe.TICKET_GRACE_MS, TimeUnit.MILLISECONDS)));
            }
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (!open) {
            failClosed(ctx, null);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (!open) {
            failClosed(ctx, cause);
        }
        super.exceptionCaught(ctx, cause);
    }

    /** The wait for a refusal is over: the writes go unless the connection closed or the probe found a refusal. */
    private void afterWait(ChannelHandlerContext ctx) {
        if (open || failed) {
            return;
        }
        if (!ctx.channel().isActive()) {
            failClosed(ctx, null);
            return;
        }
        // a connection made while the start-up probe still waits for the relay's verdict on
        // the certificate waits for it too: a refusal it finds fails these writes
        relayVerdict.whenComplete((ok, refused) -> ctx.executor().execute(() -> {
            if (refused != null) {
                failRefusedAtStart(ctx, refused);
            } else if (ctx.channel().isActive()) {
                release(ctx);
            } else {
                failClosed(ctx, null);
            }
        }));
    }

    private void release(ChannelHandlerContext ctx) {
        if (open || failed) {
            return;
        }
        open = true;
        Object[] w;
        while ((w = held.poll()) != null) {
            ctx.write(w[0], (ChannelPromise) w[1]);
        }
        ctx.flush();
    }

    /** The relay closed the connection (or the handshake failed) before the writes were let through. */
    private void failClosed(ChannelHandlerContext ctx, Throwable cause) {
        IOException e = refused();
        if (cause != null) {
            e.initCause(cause);
        }
        fail(ctx, e);
    }

    /** The start-up probe found the certificate refused: these writes fail with its finding. */
    private void failRefusedAtStart(ChannelHandlerContext ctx, Throwable refusal) {
        Throwable t = cause(refusal);
        fail(ctx, new IOException(t.getMessage() + "; nothing was sent on this connection", t));
    }

    private void fail(ChannelHandlerContext ctx, IOException e) {
        if (open || failed) {
            return;
        }
        failed = true;
        failure = e;
        Object[] w;
        while ((w = held.poll()) != null) {
            io.netty.util.ReferenceCountUtil.release(w[0]);
            ((ChannelPromise) w[1]).setFailure(e);
        }
        ctx.close();
    }

    private static Throwable cause(Throwable t) {
        return t instanceof java.util.concurrent.CompletionException c && c.getCause() != null ? c.getCause() : t;
    }

    private static IOException refused() {
        return new IOException("the Devo relay closed the TLS connection right after the handshake: it refused the client "
                + "certificate (check devo.tls.cert-file and devo.tls.key-file) or the connection; nothing was sent on it");
    }
}
