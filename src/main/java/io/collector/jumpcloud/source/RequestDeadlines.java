package io.collector.jumpcloud.source;

import java.io.IOException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.component.http.HttpClientConfigurer;
import org.apache.hc.client5.http.classic.ExecChain;
import org.apache.hc.client5.http.classic.ExecRuntime;
import org.apache.hc.client5.http.impl.classic.HttpClientBuilder;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;

/**
 * An overall deadline per JumpCloud request (jumpcloud.request-timeout), headers and body together:
 * the HTTP client's own timeouts are per read, so an answer trickling a byte every few seconds would
 * hold its route for ever. Installed on the events endpoint as its {@code httpClientConfigurer}: each
 * request carries the id {@link #newRequest} gave in the header {@value #HEADER} (removed before it
 * leaves); at the deadline, or when {@link #abort} is called (an answer too large to read), its
 * connection is closed, so whatever reads from it fails at once and nothing drains it.
 */
public final class RequestDeadlines implements HttpClientConfigurer {
    public static final String HEADER = "X-Collector-Request";

    private final long timeoutMs;
    private final Map<String, Handle> open = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "JumpCloudRequestDeadlines");
        t.setDaemon(true);
        return t;
    });

    public RequestDeadlines(long timeoutMs) {
        this.timeoutMs = timeoutMs;
    }

    private static final class Handle {
        volatile ExecRuntime runtime;
        volatile ScheduledFuture<?> deadline;
        volatile String aborted;
        volatile String date;

        synchronized void abort(String why) {
            if (aborted == null) {
                aborted = why;
            }
            ExecRuntime r = runtime;
            if (r != null) {
                r.discardEndpoint(); // closes the socket: a blocked read ends with an IOException
            }
        }
    }

    /** A new request's id: its deadline runs from now until {@link #done}. */
    public String newRequest() {
        String id = UUID.randomUUID().toString();
        Handle h = new Handle();
        open.put(id, h);
        h.deadline = timer.schedule(() -> h.abort("no complete answer within jumpcloud.request-timeout ("
                + timeoutMs / 1000.0 + " s)"), timeoutMs, TimeUnit.MILLISECONDS);
        return id;
    }

    /** Closes the request's connection now (its answer is not to be read); the reason is kept for {@link #aborted}. */
    public void abort(String id, String why) {
        Handle h = id == null ? null : open.get(id);
        if (h != null) {
            h.abort(why);
        }
    }

    /** Why the request was cut (its deadline, or {@link #abort}), or null. */
    public String aborted(String id) {
        Handle h = id == null ? null : open.get(id);
        return h == null ? null : h.aborted;
    }

    /** The answer's Date header (JumpCloud's clock), or null. */
    public String date(String id) {
        Handle h = id == null ? null : open.get(id);
        return h == null ? null : h.date;
    }

    /** The request and its answer are done with: its deadline no longer applies. */
    public void done(String id) {
        Handle h = id == null ? null : open.remove(id);
        if (h != null && h.deadline != null) {
            h.deadline.cancel(false);
        }
    }

    @Override
    public void configureHttpClient(HttpClientBuilder builder) {
        builder.addExecInterceptorFirst("collector-request-deadline", this::execute);
    }

    private ClassicHttpResponse execute(ClassicHttpRequest request, ExecChain.Scope scope, ExecChain chain)
            throws IOException, HttpException {
        Header id = request.getFirstHeader(HEADER);
        request.removeHeaders(HEADER);
        Handle h = id == null ? null : open.get(id.getValue());
        if (h == null) {
            return chain.proceed(request, scope);
        }
        synchronized (h) {
            h.runtime = scope.execRuntime;
        }
        try {
            if (h.aborted != null) {
                throw new IOException(h.aborted);
            }
            ClassicHttpResponse response = chain.proceed(request, scope);
            Header date = response.getFirstHeader("Date"); // camel-http's header filter keeps it from the exchange
            h.date = date == null ? null : date.getValue();
            return response;
        } catch (IOException e) {
            String why = h.aborted;
            throw why == null ? e : new IOException(why, e);
        }
    }

    public void shutdown() {
        timer.shutdownNow();
    }
}
