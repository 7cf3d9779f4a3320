package io.collector.jumpcloud.source;

import io.collector.jumpcloud.config.CollectorSettings;
import io.collector.jumpcloud.config.SettingsException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
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

    public static void run(CollectorSettings settings, Instant now) {
        String body = "{\"service\":[\"" + settings.services().get(0) + "\"],\"start_time\":\""
                + EventTimestamps.queryTime(now.minusSeconds(60)) + "\",\"limit\":1,\"sort\":\"ASC\"}";
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(settings.baseUrl() + "/insights/directory/v1/events"))
                .timeout(Duration.ofSeconds(15))
                .header("x-api-key", settings.apiKey())
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        settings.orgId().ifPresent(org -> req.header("x-org-id", org));
        HttpResponse<String> res;
        try {
            res = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()
                    .send(req.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            LOG.warn("Could not check the JumpCloud credentials now ({}: {}); the routes will try at each pull",
                    e.getClass().getSimpleName(), e.getMessage());
            return;
        }
        int status = res.statusCode();
        String text = res.body() == null ? "" : res.body().replaceAll("\\s+", " ");
        if (text.length() > 300) {
            text = text.substring(0, 300) + "…";
        }
        if (status == 401 || status == 403 || status == 402) {
            String why = switch (status) {
                case 401 -> "JumpCloud refused the API key (HTTP 401: " + text + "): check it, and set jumpcloud.org-id for a multi-tenant key";
                case 402 -> "Directory Insights is not enabled for this organization (HTTP 402: " + text + ")";
                default -> "the API key lacks permission to read Directory Insights (HTTP 403: " + text + "): use an administrator's key";
            };
            throw new SettingsException(CollectorSettings.API_KEY, "SetupError 100: " + why);
        }
        if (status / 100 != 2) {
            LOG.warn("The JumpCloud credentials check answered HTTP {} ({}); the routes will try at each pull", status, text);
            return;
        }
        LOG.info("The JumpCloud credentials are valid: setup successfully executed");
    }
}
