package io.collector.jumpcloud.source;

import io.collector.jumpcloud.config.CollectorSettings;
import io.collector.jumpcloud.observe.LogSafe;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a pull says in the log, in the reference collector's words: its statistics line and "The data
 * is up to date!", a progress line every collector.progress-log-interval while it catches up, and a
 * failure as the reference's error code with its cause in words.
 */
final class PullLog {
    private static final Logger LOG = LoggerFactory.getLogger(PullLog.class);

    private final CollectorSettings settings;
    private final Clock clock;

    PullLog(CollectorSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    void received(Pull pull, EventPage page) {
        LOG.info("[{}] Number of {} events received: {}", pull.name(), pull.service(), page.size());
    }

    void delivered(Pull pull, int lines, int duplicates, int dropped, Instant checkpoint) {
        LOG.info("[{}] Number of {} events {}: {} ({} duplicates removed{}). State last_polled_timestamp is updated: {}",
                pull.name(), pull.service(), settings.dryRun() ? "printed (dry run)" : "sent to Devo", lines, duplicates, dropped == 0 ? "" : ", " + dropped + " dropped by the route", checkpoint);
    }

    /**
     * While a pull catches up: what was sent, how fast, how far behind now the checkpoint is, and when
     * it should be caught up at the pace of this pull.
     */
    void progress(Pull pull, Instant checkpoint) {
        long now = System.nanoTime();
        if (!pull.hasMorePages() || now - pull.lastProgressNanos() < settings.progressIntervalMs() * 1_000_000) {
            return;
        }
        pull.progressLogged(now);
        double secs = pull.elapsedSeconds();
        double behind = Math.max(0, (clock.instant().toEpochMilli() - checkpoint.toEpochMilli()) / 1000.0);
        double covered = (checkpoint.toEpochMilli() - pull.startTime().toEpochMilli()) / 1000.0; // event time read so far
        String eta = covered <= 0 ? "unknown" : human((long) (behind * secs / covered));
        LOG.info("[{}] Catching up: {} events sent in {} s ({} events/s), {} behind now, caught up in about {}", pull.name(),
                pull.sent(), String.format(Locale.ROOT, "%.0f", secs), String.format(Locale.ROOT, "%.0f", pull.sent() / Math.max(secs, 0.001)),
                human((long) behind), eta);
    }

    /** The pull failed with {@code e}: the checkpoint stays; the next pull starts from it. */
    void failed(Pull pull, Exception e, int forgotten) {
        if (e instanceof StateWriteException) {
            LOG.error("[{}] The page was sent to Devo, but its state could not be saved: {}. The route asks JumpCloud for nothing "
                    + "new until the state file can be written (tried at each pull); its events are not sent again meanwhile, "
                    + "but a restart before then would send again what came after the last saved checkpoint.", pull.name(), e.getMessage());
        } else if (e instanceof StoppingException) {
            LOG.info("[{}] Pull interrupted by shutdown: it resumes from the checkpoint {} at the next start", pull.name(),
                    pull.puller().state().lastPolledTimestamp());
        } else {
            LOG.error("[{}] {} The checkpoint stays at {}{}; the next pull starts from it.", pull.name(), describe(e, words(e)),
                    pull.puller().state().lastPolledTimestamp(),
                    forgotten == 0 ? "" : " and the " + forgotten + " events of the failed page will be sent again");
        }
    }

    void retry(Pull pull, int attempt, int maxRetries, long delayMs, Exception e) {
        LOG.warn("[{}] Request failed, retry {} of {} in {} s: {}", pull.name(), attempt, maxRetries,
                String.format(Locale.ROOT, "%.1f", delayMs / 1000.0), words(e) != null ? words(e) : reason(e));
    }

    /** The reference's statistics line, then when the next pull comes. */
    void finished(Pull pull) {
        long duplicates = pull.puller().seen().duplicates() - pull.duplicatesAtStart();
        double secs = pull.elapsedSeconds();
        LOG.info("[{}] Statistics for this pull cycle (@devo_pulling_id={}):Number of requests made: {}; Number of events received: {}; "
                        + "Number of duplicated events filtered out: {}; Number of events generated and sent: {}; Average of events per second: {}.",
                pull.name(), pull.pullingId(), pull.requests(), pull.received(), duplicates, pull.sent(),
                String.format(Locale.ROOT, "%.3f", secs > 0 ? pull.sent() / secs : 0.0));
        if (pull.recovered() > 0) {
            LOG.info("[{}] Events found missing by the count check and sent in this pull: {}", pull.name(), pull.recovered());
        }
        if (!pull.failed() && !pull.hasMorePages()) {
            LOG.info("[{}] The data is up to date!", pull.name());
        } else if (!pull.failed()) {
            LOG.info("[{}] Pull interrupted by shutdown: it resumes from the checkpoint at the next start", pull.name());
        }
        LOG.info("[{}] Data collection completed. Elapsed time: {} seconds. Waiting for {} second(s) until the next one",
                pull.name(), String.format(Locale.ROOT, "%.3f", secs), String.format(Locale.ROOT, "%.3f", settings.pollIntervalMs() / 1000.0));
    }

    /** 93784 -> "1d 2h 3m 4s": how operators read a backlog. */
    static String human(long seconds) {
        StringBuilder b = new StringBuilder();
        long[] units = {86400, 3600, 60, 1};
        String[] names = {"d", "h", "m", "s"};
        for (int i = 0; i < units.length; i++) {
            long n = seconds / units[i];
            seconds %= units[i];
            if (n > 0 || (i == units.length - 1 && b.length() == 0)) {
                b.append(b.length() == 0 ? "" : " ").append(n).append(names[i]);
            }
        }
        return b.toString();
    }

    /** JumpCloud could not be reached, in words (host and port, what happened, what to check); null for other failures. */
    private String words(Exception e) {
        Throwable t = e instanceof GaveUpException g && g.getCause() != null ? g.getCause() : e;
        return t instanceof JumpCloudHttpException || t instanceof PageNotDelivered ? null : NetworkTrouble.describe(t, settings);
    }

    /** A one-line reason with the reference's error code; never the API key (it is not in any of these). */
    static String describe(Exception e) {
        return describe(e, null);
    }

    private static String describe(Exception e, String words) {
        if (e instanceof GaveUpException g && g.getCause() instanceof Exception cause) {
            return code(cause) + ": " + (words != null ? words : reason(cause)) + " (still failing after " + g.retries() + " retries).";
        }
        return code(e) + ": " + (words != null ? words : reason(e)) + ".";
    }

    /** The reference collector's error code for a failed pull (305: JumpCloud's paging does not move forward). */
    static String code(Exception e) {
        if (e instanceof PageNotDelivered d && d.getCause() instanceof Exception c) {
            return code(c);
        }
        if (e instanceof CursorLoopException) {
            return "PullError 305";
        }
        if (e instanceof JumpCloudHttpException h) {
            return switch (h.status()) {
                case 401 -> "PullError 301";
                case 403 -> "PullError 302";
                case 429 -> "PullError 304";
                default -> "PullError 303";
            };
        }
        return "PullError 300";
    }

    static String reason(Exception e) {
        if (e instanceof PageNotDelivered d && d.getCause() instanceof Exception c) {
            return reason(c);
        }
        if (e instanceof JumpCloudHttpException h) {
            String what = switch (h.status()) {
                case 401 -> "JumpCloud refused the API key (HTTP 401, check jumpcloud.api-key and jumpcloud.org-id)";
                case 403 -> "the API key lacks permission (HTTP 403, use an administrator's key)";
                case 429 -> "JumpCloud is rate limiting (HTTP 429)";
                case 407 -> "the proxy asked for credentials (HTTP 407): check the user and password in jumpcloud.proxy-url, "
                        + "or in HTTPS_PROXY when the proxy comes from the environment";
                default -> "unexpected HTTP status " + h.status() + " from JumpCloud";
            };
            return what + ": " + LogSafe.text(h.body(), 300);
        }
        // the messages quote the answer (a byte of the body, a cursor, a parser's excerpt): no line of their own in the log
        if (e instanceof BadPageException || e instanceof CursorLoopException) {
            return LogSafe.text(e.getMessage(), 1000);
        }
        return e == null ? "unknown error" : e.getClass().getSimpleName() + ": " + LogSafe.text(e.getMessage(), 1000);
    }
}
