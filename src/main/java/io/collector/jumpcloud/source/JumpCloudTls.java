package io.collector.jumpcloud.source;

import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.HostnameVerificationPolicy;
import org.apache.hc.client5.http.ssl.HttpsSupport;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.ssl.SSLContexts;

/**
 * The TLS of JumpCloud's HTTPS: the JVM's default context and trust store, as HttpClient's own
 * default. Making it reads the trust store (about 0.1 s); the launcher starts that on a thread of
 * its own while Log4j and camel-main start ({@link #preload}), an embedding application's first client
 * makes it when it needs it.
 */
public final class JumpCloudTls {
    private static final CompletableFuture<SSLContext> LOADED = new CompletableFuture<>();
    private static final java.util.concurrent.atomic.AtomicBoolean STARTED = new java.util.concurrent.atomic.AtomicBoolean();

    private JumpCloudTls() {
    }

    /** Starts making the context in the background (the launcher, first thing). */
    public static void preload() {
        if (STARTED.compareAndSet(false, true)) {
            Thread t = new Thread(JumpCloudTls::load, "jumpcloud-tls-preload");
            t.setDaemon(true);
            t.start();
        }
    }

    /** HttpClient's default TLS strategy over the context, made here if no preload started it. */
    static TlsSocketStrategy strategy() {
        if (STARTED.compareAndSet(false, true)) {
            load();
        }
        SSLContext context;
        try {
            context = LOADED.join();
        } catch (java.util.concurrent.CompletionException e) {
            // a context that could not be made fails here with the exception HttpClient's own default throws
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        return new DefaultClientTlsStrategy(context, HostnameVerificationPolicy.BOTH, HttpsSupport.getDefaultHostnameVerifier());
    }

    private static void load() {
        try {
            LOADED.complete(SSLContexts.createDefault());
        } catch (RuntimeException | Error e) {
            LOADED.completeExceptionally(e);
        }
    }
}
