package io.collector.jumpcloud.source;

import io.collector.jumpcloud.config.CollectorSettings;
import io.collector.jumpcloud.config.SettingsException;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reference collector's setup step: one real, minimal query (limit 1, the last minute) before
 * any route pulls, so a wrong or unprivileged key stops the start with SetupError 100 instead of
 * failing quietly every interval. JumpCloud being unreachable at that moment does not stop the
 * start: the routes retry on their own.
 */
public final class CredentialsCheck {
    private static final Logger LOG = LoggerFactory.getLogger(CredentialsCheck.class);

    private CredentialsCheck() {
    }

    /** What one check found: {@code fatal} stops the start; {@code ok} false otherwise only warns. */
    public record Outcome(boolean ok, boolean fatal, String message) {
    }

    /** Organizations checked by one request (an x-org-id header each). */
    static final int ORGS_PER_CHECK = 100;

    /**
     * Checks the key for every organization (or once without one), with every configured service: an
     * MSP's organizations a hundred to a request, so that a thousand of them cost ten requests of the
     * budget at start, not a hundred seconds. A batch JumpCloud refuses is asked again one
     * organization at a time, to name the one refused.
     */
    public static void run(CollectorSettings settings, JumpCloudClient client, Instant now) {
        java.util.List<String> orgs = orgs(settings);
        if (orgs.size() == 1) {
            report(probe(settings, client, orgs.get(0), now));
            return;
        }
        for (int i = 0; i < orgs.size(); i += ORGS_PER_CHECK) {
            java.util.List<String> batch = orgs.subList(i, Math.min(orgs.size(), i + ORGS_PER_CHECK));
            Outcome o = probe(settings, client, String.join(",", batch), now);
            if (o.ok()) {
                LOG.info("The JumpCloud credentials are valid for {}: setup successfully executed",
                        batch.size() == 1 ? "organization " + batch.get(0)
                                : "the " + batch.size() + " organizations " + batch.get(0) + " to " + batch.get(batch.size() - 1));
            } else if (o.fatal()) {
                for (String org : batch) {
                    report(probe(settings, client, org, now));
                }
            } else {
                report(o); // JumpCloud unreachable, or a service refused: the same for every organization
            }
        }
    }

    private static void report(Outcome o) {
        if (o.fatal()) {
            throw new SettingsException(CollectorSettings.API_KEY, o.message());
        } else if (o.message().startsWith(CollectorSettings.SERVICES)) {
            LOG.error("{}; the routes of the services it knows run, the refused one fails at each pull until it is corrected", o.message());
        } else if (!o.ok()) {
            LOG.warn("{}; the routes will try at each pull", o.message());
        } else {
            LOG.info("{}: setup successfully executed", o.message());
        }
    }

    /** The organizations to check: each configured one, or the key's own (null). */
    public static java.util.List<String> orgs(CollectorSettings settings) {
        return settings.orgIds().isEmpty() ? java.util.Collections.singletonList(null) : settings.orgIds();
    }

    /** One real query (limit 1, the last day, every configured service) for one organization. */
    public static Outcome probe(CollectorSettings settings, JumpCloudClient client, String org, Instant now) {
        // every configured service in one query: JumpCloud answers 400 naming an unknown one
        String services = String.join(",", settings.services().stream().map(s -> "\"" + s + "\"").toList());
        String body = "{\"service\":[" + services + "],\"start_time\":\""
                // a day back: a clock ahead of JumpCloud's must not make it a start_time in the future (HTTP 400)
                + EventTimestamps.queryTime(now.minus(java.time.Duration.ofDays(1))) + "\",\"limit\":1,\"sort\":\"ASC\"}";
        int status;
        String text;
        try {
            client.postForText(JumpCloudClient.EVENTS, org, body, 1 << 20, () -> false);
            status = 200;
            text = "";
        } catch (JumpCloudHttpException e) {
            status = e.status();
            text = io.collector.jumpcloud.observe.LogSafe.text(e.body(), 300); // the answer's text: no line of its own in the log
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            String words = NetworkTrouble.describe(e, settings);
            return new Outcome(false, false, "Could not reach JumpCloud at " + settings.baseUrl() + ": "
                    + (words != null ? words : e.getClass().getSimpleName() + ": " + e.getMessage()));
        }
        if (status == 401 || status == 403 || status == 402) {
            String why = switch (status) {
                case 401 -> "JumpCloud refused the API key" + (org == null ? "" : " for organization " + org) + " (HTTP 401: " + text
                        + "): check it, and set jumpcloud.org-id for a multi-tenant key";
                case 402 -> "Directory Insights is not enabled for organization " + (org == null ? "of the key" : org) + " (HTTP 402: " + text + ")";
                default -> "the API key lacks permission to read Directory Insights (HTTP 403: " + text + "): use an administrator's key";
            };
            return new Outcome(false, true, "SetupError 100: " + why);
        }
        if (status == 407) {
            String proxy = settings.proxy().map(Object::toString).orElse("between here and JumpCloud");
            String where = settings.proxy().map(p -> p.from()).orElse("jumpcloud.proxy-url, or HTTPS_PROXY");
            return new Outcome(false, false, "Could not reach JumpCloud: the proxy " + proxy + " asked for credentials (HTTP 407): "
                    + "check the user and password in " + where);
        }
        if (status == 400) {
            // the only part of this query a user chooses is the services list; JumpCloud names the refused one
            return new Outcome(false, false, CollectorSettings.SERVICES + ": JumpCloud refused the services " + settings.services()
                    + " (HTTP 400: " + text + ")");
        }
        if (status / 100 != 2) {
            return new Outcome(false, false, "The JumpCloud credentials check answered HTTP " + status + " (" + text + ")");
        }
        return new Outcome(true, false, "The JumpCloud credentials are valid" + (org == null ? "" : " for organization " + org));
    }
}
