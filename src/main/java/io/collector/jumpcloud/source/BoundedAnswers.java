package io.collector.jumpcloud.source;

import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The small JumpCloud requests outside the page routes (the start-up credentials check, the count
 * check) with the same guards as a page: one deadline for headers and body together (the JDK
 * client's own timeout stops at the headers, so a trickling body would hold the start for hours),
 * and a cap on what is read (an answer of a gigabyte is refused, not read into memory).
 */
final class BoundedAnswers {
    /** These answers are a few hundred bytes: anything near this is not JumpCloud's answer. */
    static final int MAX_BYTES = 1 << 20;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "JumpCloudSmallRequestDeadlines");
        t.setDaemon(true);
        return t;
    });

    private BoundedAnswers() {
    }

    /** The answer as text, within {@code deadlineMs} from now and {@link #MAX_BYTES}. */
    static HttpResponse<String> send(HttpClient client, HttpRequest request, long deadlineMs) throws IOException, InterruptedException {
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadlineMs);
        CompletableFuture<HttpResponse<InputStream>> answer = client.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
        HttpResponse<InputStream> r;
        try {
            r = answer.get(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new HttpTimeoutException("no answer within " + deadlineMs / 1000.0 + " s");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
        InputStream body = r.body();
        ScheduledFuture<?> cut = TIMER.schedule(() -> {
            try {
                body.close(); // a read blocked on a trickle ends
            } catch (IOException ignored) {
                // closing anyway
            }
        }, Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
        byte[] bytes;
        try (body) {
            bytes = body.readNBytes(MAX_BYTES + 1);
        } catch (IOException e) {
            throw System.nanoTime() >= end ? new HttpTimeoutException("no complete answer within " + deadlineMs / 1000.0 + " s") : e;
        } finally {
            cut.cancel(false);
        }
        if (bytes.length > MAX_BYTES) {
            throw new IOException("an answer larger than " + (MAX_BYTES >> 10) + " kB, where a few hundred bytes were expected");
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        return new HttpResponse<>() {
            @Override
            public int statusCode() {
                return r.statusCode();
            }

            @Override
            public HttpRequest request() {
                return r.request();
            }

            @Override
            public java.util.Optional<HttpResponse<String>> previousResponse() {
                return java.util.Optional.empty();
            }

            @Override
            public java.net.http.HttpHeaders headers() {
                return r.headers();
            }

            @Override
            public String body() {
                return text;
            }

            @Override
            public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
                return r.sslSession();
            }

            @Override
            public java.net.URI uri() {
                return r.uri();
            }

            @Override
            public HttpClient.Version version() {
                return r.version();
            }
        };
    }
}
