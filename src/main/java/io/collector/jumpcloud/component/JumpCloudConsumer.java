package io.collector.jumpcloud.component;

import io.collector.jumpcloud.source.JumpCloudSource;
import io.collector.jumpcloud.source.PullRun;
import org.apache.camel.Processor;
import org.apache.camel.support.ScheduledPollConsumer;

/**
 * Every {@code delay} ms, one pull of the endpoint's service (and organization): the pages after the
 * checkpoint, each sent through the route as one exchange whose completion commits it (see
 * {@link PullRun}). Pages go through the route one at a time, in order; the next page's request
 * already left while one is delivered.
 */
final class JumpCloudConsumer extends ScheduledPollConsumer {
    private final JumpCloudEndpoint endpoint;
    private JumpCloudSource source;

    JumpCloudConsumer(JumpCloudEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
        this.endpoint = endpoint;
    }

    @Override
    protected void doStart() throws Exception {
        source = endpoint.source();
        source.prepare(endpoint.getService(), endpoint.getOrganization());
        super.doStart();
    }

    /**
     * UP from the start, as camel-scheduler's consumer: a first pull that catches up on a backlog of
     * hours is one long poll, and Camel's own check would call the route DOWN until it ends. The
     * collector's readiness check says whether pages are delivered.
     */
    @Override
    protected org.apache.camel.health.HealthCheck.State initialHealthCheckState() {
        return org.apache.camel.health.HealthCheck.State.UP;
    }

    @Override
    protected int poll() throws Exception {
        return new PullRun(source, endpoint.getService(), endpoint.getOrganization(), () -> !isRunAllowed() || isSuspendingOrSuspended()
                || getEndpoint().getCamelContext().isStopping()).run(page -> {
                    var exchange = createExchange(true);
                    page.prepare(exchange);
                    getProcessor().process(exchange);
                    return exchange;
                });
    }
}
