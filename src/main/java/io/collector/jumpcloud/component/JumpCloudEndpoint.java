package io.collector.jumpcloud.component;

import io.collector.jumpcloud.config.CollectorSettings;
import io.collector.jumpcloud.dedup.EventIdRepository;
import io.collector.jumpcloud.observe.CollectorMetrics;
import io.collector.jumpcloud.source.JumpCloudSource;
import io.collector.jumpcloud.source.RequestBudget;
import io.collector.jumpcloud.state.StateStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.ScheduledPollEndpoint;

/**
 * One service's events (of one organization) from JumpCloud, read every {@code delay} ms. Inside the
 * collector, every endpoint shares the {@link JumpCloudSource} the collector's settings built (bound
 * in the registry). Alone (the Kamelet, an application of its own), an endpoint given an
 * {@code apiKey} builds one of its own from its options.
 */
@UriEndpoint(firstVersion = "1.0.0", scheme = "jumpcloud", title = "JumpCloud Directory Insights", syntax = "jumpcloud:events",
        consumerOnly = true, category = {Category.MONITORING})
public final class JumpCloudEndpoint extends ScheduledPollEndpoint {
    @UriPath(description = "always events")
    @Metadata(required = true)
    private String name = "events";
    @UriParam(description = "the JumpCloud service to read (directory, sso, ..., or all)", defaultValue = "all")
    private String service = "all";
    @UriParam(description = "the organization (x-org-id) of a multi-tenant key, or several joined by commas (one request names them all); empty for a single-tenant key")
    private String organization;
    @UriParam(label = "security", secret = true, description = "the API key, when the endpoint is used without the collector's settings")
    private String apiKey;
    @UriParam(description = "the JumpCloud API, when used without the collector's settings", defaultValue = "https://api.jumpcloud.com")
    private String baseUrl;
    @UriParam(description = "events per request, 1 to 10000, when used without the collector's settings", defaultValue = "10000")
    private int pageSize;
    @UriParam(description = "where the first pull starts when used without the collector's settings, RFC 3339 or yyyy-MM-dd HH:mm:ss (UTC); "
            + "empty: one day before the first start")
    private String startTime;
    @UriParam(description = "the folder of the checkpoint files when used without the collector's settings; empty: kept in memory")
    private String stateDir;

    private JumpCloudSource source;
    private boolean ownSource;

    JumpCloudEndpoint(String uri, JumpCloudComponent component) {
        super(uri, component);
        setDelay(60_000);
        setInitialDelay(0);
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("jumpcloud:events is a consumer only: use it in a from");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        JumpCloudConsumer consumer = new JumpCloudConsumer(this, processor);
        configureConsumer(consumer);
        if (getScheduledExecutorService() == null && getComponent() instanceof JumpCloudComponent c) {
            consumer.setScheduledExecutorService(c.pullScheduler()); // a thread per pull running, not per route
        }
        return consumer;
    }

    /** The shared source of the collector, or one of this endpoint's own (built once). */
    synchronized JumpCloudSource source() throws Exception {
        if (source == null) {
            if (apiKey == null || apiKey.isBlank()) {
                checkNames(); // the collector's settings checked theirs; a route's own options name state files too
                source = getCamelContext().getRegistry().findSingleByType(JumpCloudSource.class);
                if (source == null) {
                    throw new IllegalStateException("jumpcloud:events has neither the collector's settings (no JumpCloudSource is bound) "
                            + "nor an apiKey of its own");
                }
            } else {
                source = standalone();
                ownSource = true;
            }
        }
        return source;
    }

    private static final java.util.regex.Pattern SERVICE = java.util.regex.Pattern.compile("[a-z0-9_]+"); // as jumpcloud.services names them
    private static final java.util.regex.Pattern ORGANIZATIONS = java.util.regex.Pattern.compile("[0-9a-fA-F]{24}(,[0-9a-fA-F]{24})*");

    /** The service and organization name the route's state files: a JumpCloud name each, nothing else (no path). */
    private void checkNames() {
        if (service == null || !SERVICE.matcher(service).matches()) {
            throw new IllegalArgumentException("jumpcloud:events: service '" + io.collector.jumpcloud.observe.LogSafe.text(service, 80)
                    + "' is not a JumpCloud service name (lower-case letters, digits and _, as directory, sso or all)");
        }
        if (organization != null && !organization.isBlank() && !ORGANIZATIONS.matcher(organization.trim()).matches()) {
            throw new IllegalArgumentException("jumpcloud:events: organization '" + io.collector.jumpcloud.observe.LogSafe.text(organization, 80)
                    + "' is not an organization id (24 hexadecimal digits, or several joined by commas)");
        }
    }

    /** A source of its own for this endpoint: its options read as the collector's settings (and checked the same way). */
    private JumpCloudSource standalone() throws Exception {
        Map<String, String> s = new HashMap<>();
        s.put(CollectorSettings.API_KEY, apiKey);
        s.put(CollectorSettings.SERVICES, service);
        if (baseUrl != null && !baseUrl.isBlank()) {
            s.put(CollectorSettings.BASE_URL, baseUrl);
        }
        if (pageSize > 0) {
            s.put(CollectorSettings.PAGE_SIZE, Integer.toString(pageSize));
        }
        if (startTime != null && !startTime.isBlank()) {
            s.put(CollectorSettings.HISTORIC_DATE, startTime); // either form: the settings read both
        }
        if (organization != null && !organization.isBlank()) {
            s.put(CollectorSettings.ORG_ID, organization);
            s.put(CollectorSettings.ORGS_PER_REQUEST, Long.toString(organization.chars().filter(c -> c == ',').count() + 1));
        }
        s.put(CollectorSettings.POLL_INTERVAL, Long.toString(Math.max(1, getDelay())));
        Path dir = stateDir == null || stateDir.isBlank() ? Files.createTempDirectory("jumpcloud-checkpoint") : Path.of(stateDir);
        if (stateDir == null || stateDir.isBlank()) {
            dir.toFile().deleteOnExit(); // a checkpoint in memory, as far as anyone can tell
        }
        s.put(CollectorSettings.STATE_DIR, dir.toString());
        CollectorSettings settings = CollectorSettings.from(k -> Optional.ofNullable(s.get(k)), Clock.systemUTC());
        return new JumpCloudSource(settings, new StateStore(settings.stateDir()), new EventIdRepository(settings.dedupCacheSize()),
                new RequestBudget(settings.maxRequestsPerSecond()), new CollectorMetrics(new SimpleMeterRegistry(), Clock.systemUTC()),
                Clock.systemUTC());
    }

    @Override
    protected void doStop() throws Exception {
        super.doStop();
        if (ownSource && source != null) {
            source.close();
            source = null;
        }
    }

    @Override
    public boolean isLenientProperties() {
        return false;
    }

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    public String getService() {
        return service;
    }

    public void setService(String service) {
        this.service = service;
    }

    public String getOrganization() {
        return organization;
    }

    public void setOrganization(String organization) {
        this.organization = organization;
    }

    public String getApiKey() {
        return apiKey;
    }

    public void setApiKey(String apiKey) {
        this.apiKey = apiKey;
    }

    public String getBaseUrl() {
        return baseUrl;
    }

    public void setBaseUrl(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public int getPageSize() {
        return pageSize;
    }

    public void setPageSize(int pageSize) {
        this.pageSize = pageSize;
    }

    public String getStartTime() {
        return startTime;
    }

    public void setStartTime(String startTime) {
        this.startTime = startTime;
    }

    public String getStateDir() {
        return stateDir;
    }

    public void setStateDir(String stateDir) {
        this.stateDir = stateDir;
    }
}
