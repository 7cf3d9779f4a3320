package io.collector.jumpcloud.tls;

import io.collector.jumpcloud.devo.DevoLineFramer;
import io.netty.channel.Channel;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.stream.ChunkedWriteHandler;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.apache.camel.component.netty.ClientInitializerFactory;
import org.apache.camel.component.netty.DefaultClientInitializerFactory;
import org.apache.camel.component.netty.NettyConfiguration;
import org.apache.camel.component.netty.NettyProducer;

/**
 * camel-netty 4.18.0 creates its client SSLEngine without the peer's host, so it sends no SNI and
 * its own {@code hostnameVerification=true} always fails. This keeps Camel's pipeline (handlers,
 * any codec) and replaces only the TLS handler with one whose engine knows host and port:
 * SNI is sent and the relay's certificate must name the host (switchable). The endpoint is declared
 * without {@code ssl=true}: this factory is its TLS layer. It also adds the line framing
 * ({@link DevoLineFramer}): the page's lines leave as bytes, without the textline codec's copies.
 */
public final class HostVerifyingClientInitializerFactory extends ClientInitializerFactory {
    private final SSLContext sslContext;
    private final boolean verifyHostname;
    private final NettyProducer producer;
    private final Delegate camelPipeline;
    private final RelayProbe.Probe relayProbe;
    /** The producer's first connection is opened as it starts (see createPipelineFactory). */
    private final java.util.concurrent.atomic.AtomicBoolean headStart;
    private final long writeTimeoutMs;

    public HostVerifyingClientInitializerFactory(SSLContext sslContext, boolean verifyHostname) {
        this(sslContext, verifyHostname, RelayProbe.Probe.none(), 60_000);
    }

    /**
     * @param relayProbe     the start-up probe: a connection's writes wait for its verdict on the certificate
     * @param writeTimeoutMs devo.write-timeout: a page not written within it (a relay that stops reading)
     *                       closes the connection and fails, so it is not checkpointed and is sent again
     */
    public HostVerifyingClientInitializerFactory(SSLContext sslContext, boolean verifyHostname, RelayProbe.Probe relayProbe,
                                                 long writeTimeoutMs) {
        this(sslContext, verifyHostname, null, relayProbe, writeTimeoutMs, false);
    }

    private HostVerifyingClientInitializerFactory(SSLContext sslContext, boolean verifyHostname, NettyProducer producer,
                                                  RelayProbe.Probe relayProbe, long writeTimeoutMs, boolean headStart) {
        this.sslContext = sslContext;
        this.verifyHostname = verifyHostname;
        this.producer = producer;
        this.camelPipeline = producer == null ? null : new Delegate(producer);
        this.relayProbe = relayProbe;
        this.headStart = new java.util.concurrent.atomic.AtomicBoolean(headStart);
        this.writeTimeoutMs = writeTimeoutMs;
    }

    @Override
    public ClientInitializerFactory createPipelineFactory(NettyProducer producer) {
        boolean headStart = relayProbe.reached();
        if (headStart) {
            // the probe reached the relay moments ago: the producer opens its first connection as it
            // starts, and keeps it, so its TLS handshake and its wait for a refusal run while the first
            // page is read, not after it (about 0.3 s of the first event). Only at this start: initChannel
            // sets it back, and HeadStartConnect keeps a relay gone meanwhile from failing the start.
            producer.getConfiguration().setLazyChannelCreation(false);
        }
        return new HostVerifyingClientInitializerFactory(sslContext, verifyHostname, producer, relayProbe, writeTimeoutMs, headStart);
    }

    @Override
    protected void initChannel(Channel ch) throws Exception {
        if (headStart.getAndSet(false)) {
            producer.getConfiguration().setLazyChannelCreation(true); // a later start of the route connects lazily
            ch.pipeline().addFirst("head-start-connect", new HeadStartConnect());
        }
        // Camel's own pipeline (the endpoint has no ssl=true: TLS is ours), then our TLS handler first.
        camelPipeline.initChannel(ch);
        NettyConfiguration cfg = producer.getConfiguration();
        ch.pipeline().addFirst("ssl", new SslHandler(engine(cfg.getHost(), cfg.getPort())));
        // below TLS: the records of up to four chunks in one socket write (whole-line-records flushes each)
        ch.pipeline().addFirst("flush-consolidation", new FlushConsolidationHandler(4, true));
        // each chunk of whole lines its own TLS record: a connection cut mid-page leaves the relay no torn line
        ch.pipeline().addAfter("ssl", "whole-line-records", io.collector.jumpcloud.devo.WholeLineRecords.INSTANCE);
        ch.pipeline().addAfter("whole-line-records", "client-certificate-gate", new ClientCertificateGate(relayProbe.verdict()));
        // the page's lines as bytes, LF-ended, without a String or a copy (the endpoint has no textline codec)
        ch.pipeline().addAfter("client-certificate-gate", "chunked-writes", new ChunkedWriteHandler());
        ch.pipeline().addAfter("chunked-writes", "devo-lines", DevoLineFramer.INSTANCE);
        // a page's whole write (its promise ends when its last chunk is written) within devo.write-timeout
        ch.pipeline().addAfter("devo-lines", "write-deadline", new io.collector.jumpcloud.devo.DevoWriteDeadline(writeTimeoutMs));
        // what the relay sends back never reaches Camel's handler, which would end the page's exchange with it
        ch.pipeline().addAfter("ssl", "relay-replies", new RelayReplies());
    }

    SSLEngine engine(String host, int port) {
        SSLEngine engine = sslContext.createSSLEngine(host, port);
        engine.setUseClientMode(true);
        SSLParameters p = engine.getSSLParameters();
        p.setProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        if (verifyHostname) {
            p.setEndpointIdentificationAlgorithm("HTTPS");
        }
        engine.setSSLParameters(p);
        return engine;
    }

    /** Exposes the protected initChannel of Camel's default factory. */
    private static final class Delegate extends DefaultClientInitializerFactory {
        Delegate(NettyProducer producer) {
            super(producer);
        }

        @Override
        public void initChannel(Channel ch) throws Exception {
            super.initChannel(ch);
        }
    }
}
