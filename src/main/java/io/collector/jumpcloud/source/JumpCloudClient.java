package io.collector.jumpcloud.source;

import io.collector.jumpcloud.config.CollectorSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.auth.CredentialsProviderBuilder;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * JumpCloud's Directory Insights API for every route of the collector: one pool of connections, the
 * shared request budget, and the same guards on every request (pages, the count check, the start-up
 * check): only {@code x-api-key}, {@code x-org-id} and the JSON headers leave; one deadline
 * (jumpcloud.request-timeout) covers the headers and the body together; JumpCloud's {@code Date}
 * header sets {@link JumpCloudClock}. Built on Apache HttpClient 5, with its own retries off: the
 * pull decides what to retry and when.
 */
public final class JumpCloudClient implements AutoCloseable {
    public static final String EVENTS = "/insights/directory/v1/events";
    public static final String COUNT = EVENTS + "/count";
    /** What an error answer's body may hold before the rest is dropped (it is only logged). */
    static final int ERROR_BODY_BYTES = 8192;

    private final String baseUrl;
    private final String apiKey;
    private final long deadlineMs;
    private final RequestBudget budget;
    private final JumpCloudClock jumpCloudClock;
    /** JumpCloud's header lines are short (a cursor is tens of characters) and few. */
    static final int MAX_HEADER_LINE = 64 * 1024;
    static final int MAX_HEADERS = 500;

    private final CloseableHttpClient http;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "JumpCloudRequestDeadlines");
        t.setDaemon(true);
        return t;
    });

    public JumpCloudClient(CollectorSettings settings, RequestBudget budget, JumpCloudClock jumpCloudClock) {
        this.baseUrl = settings.baseUrl().toString();
        this.apiKey = settings.apiKey();
        this.deadlineMs = settings.requestTimeoutMs();
        this.budget = budget;
        this.jumpCloudClock = jumpCloudClock;
        // a socket silent for 60 s is a dead answer; under a shorter deadline the deadline speaks first
        // (its message names jumpcloud.request-timeout), the read timeout only backs it up
        Timeout read = Timeout.ofMilliseconds(deadlineMs < 60_000 ? deadlineMs + 1000 : 60_000);
        var builder = HttpClients.custom();
        settings.proxy().ifPresent(p -> {
            // CONNECT for https (JumpCloud), a forwarded request for a plain http base URL
            HttpHost proxyHost = new HttpHost(p.scheme(), p.host(), p.port());
            builder.setProxy(proxyHost);
            p.user().ifPresent(user -> builder.setDefaultCredentialsProvider(
                    CredentialsProviderBuilder.create().add(proxyHost, user, p.password()).build()));
        });
        this.http = builder
                .setConnectionManager(PoolingHttpClientConnectionManagerBuilder.create()
                        .setMaxConnTotal(200).setMaxConnPerRoute(200)
                        .setTlsSocketStrategy(JumpCloudTls.strategy())
                        // HttpClient holds any header as it comes by default: a header line of megabytes, or
                        // a million headers, from a broken API or proxy would fill the heap of every route
                        .setConnectionFactory(org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory.builder()
                                .http1Config(org.apache.hc.core5.http.config.Http1Config.custom()
                                        .setMaxLineLength(MAX_HEADER_LINE).setMaxHeaderCount(MAX_HEADERS).build())
                                .build())
                        .setDefaultConnectionConfig(ConnectionConfig.custom().setConnectTimeout(Timeout.ofSeconds(10))
                                .setSocketTimeout(read).build())
                        .build())
                .setDefaultRequestConfig(RequestConfig.custom().setConnectionRequestTimeout(Timeout.ofSeconds(10))
                        .setResponseTimeout(read).build())
                .disableAutomaticRetries()
                .disableRedirectHandling()
                .disableCookieManagement()
                .setUserAgent("jumpcloud-devo-collector")
                .build();
    }

    /**
     * One answer, open: its status, headers and body stream. The caller reads the body and closes
     * the answer; {@link #abort} closes its connection at once (an answer not to be read to its end).
     */
    public final class Answer implements AutoCloseable {
        private final ClassicHttpResponse response;
        private final ScheduledFuture<?> deadline;
        private volatile String cut;
        private volatile InputStream content;

        private Answer(ClassicHttpResponse response, ScheduledFuture<?> deadline) {
            this.response = response;
            this.deadline = deadline;
        }

        public int status() {
            return response.getCode();
        }

        /** A header by name (any case), or null. */
        public String header(String name) {
            Header h = response.getFirstHeader(name);
            return h == null ? null : h.getValue();
        }

        /** The body's length from Content-Length, -1 when unknown (chunked). */
        public long contentLength() {
            HttpEntity e = response.getEntity();
            return e == null ? 0 : e.getContentLength();
        }

        public synchronized InputStream body() throws IOException {
            if (content == null) {
                HttpEntity e = response.getEntity();
                content = e == null ? InputStream.nullInputStream() : e.getContent();
            }
            return content;
        }

        /** Why the body stopped: the deadline ("no complete answer within ..."), or null. */
        public String cutBecause() {
            return cut;
        }

        void cut(String why) {
            cut = why;
            try {
                if (body() instanceof org.apache.hc.core5.http.io.EofSensorInputStream s) {
                    s.abort(); // ends the read blocked on the trickle; the reader closes the answer
                }
            } catch (IOException | RuntimeException ignored) {
                // cut anyway
            }
        }

        /** An answer not read to its end: its connection is closed, not drained (what remains is never read). */
        public void abort() {
            try {
                // closing the response would first read the rest of the body (HttpClient drains it to keep
                // the connection): its connection is discarded instead, which also ends a read blocked on it
                if (body() instanceof org.apache.hc.core5.http.io.EofSensorInputStream s) {
                    s.abort();
                }
            } catch (IOException | RuntimeException ignored) {
                // closing anyway
            }
            close();
        }

        /** Closes the answer: a body read to its end leaves its connection to the pool. */
        @Override
        public void close() {
            deadline.cancel(false);
            try {
                response.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    /**
     * Sends one request (within the request budget; false from {@code stopping} ends the wait) and
     * returns its answer once its headers came. A status other than 200 is read (a little), closed and
     * thrown as {@link JumpCloudHttpException}. {@code org}: null, one organization id, or several
     * joined by commas (one {@code x-org-id} header each: JumpCloud answers for all of them at once).
     */
    public Answer post(String path, String org, String json, BooleanSupplier stopping) throws IOException, InterruptedException {
        if (!budget.acquire(stopping)) {
            throw new StoppingException();
        }
        HttpPost request = new HttpPost(baseUrl + path);
        request.setHeader("x-api-key", apiKey);
        if (org != null && !org.isEmpty()) {
            for (String o : org.split(",")) {
                request.addHeader("x-org-id", o);
            }
        }
        request.setHeader("Accept", "application/json");
        request.setEntity(new StringEntity(json, ContentType.APPLICATION_JSON));
        Answer[] answer = new Answer[1];
        String why = "no complete answer within jumpcloud.request-timeout (" + deadlineMs / 1000.0 + " s)";
        ScheduledFuture<?> deadline = timer.schedule(() -> {
            Answer a = answer[0];
            if (a != null) {
                a.cut(why); // the body trickles: its connection is closed and its reads fail
            } else {
                request.cancel(); // the headers did not come
            }
        }, deadlineMs, TimeUnit.MILLISECONDS);
        ClassicHttpResponse response;
        try {
            response = http.executeOpen(null, request, null);
        } catch (IOException e) {
            deadline.cancel(false);
            throw request.isCancelled() ? new IOException(why, e) : e;
        }
        Answer a = new Answer(response, deadline);
        answer[0] = a;
        if (a.status() == 200) {
            jumpCloudClock.observe(a.header("Date")); // not an error page's: a proxy's carries its own clock
        } else {
            String body = excerpt(a);
            a.abort(); // what is left of an error's body is not worth reading
            throw new JumpCloudHttpException(a.status(), body, headers(response));
        }
        return a;
    }

    /**
     * A small JSON answer (the count, the start-up check) as text, read whole within the deadline, at
     * most {@code maxBytes}.
     */
    public String postForText(String path, String org, String json, int maxBytes, BooleanSupplier stopping)
            throws IOException, InterruptedException {
        Answer a = post(path, org, json, stopping);
        byte[] b;
        try {
            b = read(a, maxBytes + 1);
        } catch (IOException e) {
            a.abort();
            throw e;
        }
        if (b.length > maxBytes) {
            a.abort();
            throw new IOException("an answer of more than " + maxBytes + " bytes, where a few hundred were expected");
        }
        a.close();
        return new String(b, StandardCharsets.UTF_8);
    }

    /** Up to {@code max} bytes of the body; the stream is not closed (that would drain the rest): the answer is. */
    private static byte[] read(Answer a, int max) throws IOException {
        try {
            return a.body().readNBytes(max);
        } catch (IOException e) {
            throw a.cutBecause() != null ? new IOException(a.cutBecause(), e) : e;
        }
    }

    private static String excerpt(Answer a) {
        try {
            String text = new String(read(a, ERROR_BODY_BYTES), StandardCharsets.UTF_8).replaceAll("\\s+", " ").trim();
            return text.length() > 300 ? text.substring(0, 300) + "…" : text;
        } catch (IOException e) {
            return "";
        }
    }

    private static Map<String, String> headers(ClassicHttpResponse r) {
        Map<String, String> m = new HashMap<>();
        for (Header h : r.getHeaders()) {
            m.putIfAbsent(h.getName().toLowerCase(Locale.ROOT), h.getValue());
        }
        return m;
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            http.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
