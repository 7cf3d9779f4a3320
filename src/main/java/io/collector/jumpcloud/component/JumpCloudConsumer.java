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
        if (source.replicated()) {
            // this replica now leads the route: it goes on from the checkpoint the last leader saved
            source.takeOver(endpoint.getService(), endpoint.getOrganization());
        } else {
            source.prepare(endpoint.getService(), endpoint.getOrganization());
        }
        String org = endpoint.getOrganization();
        source.metrics().routeActive(endpoint.getService(), org == null || org.isBlank() ? null : org.trim());
        super.doStart();
    }

    /**
     * The pull ends at its page boundary (the page in flight delivered, its checkpoint saved) before
     * the scheduler stops: it cancels its task with an interrupt, which would cut a state file's write
     * and send the page again at the next start. For a replica losing its route, it ends before the
     * next leader, waiting for this one's lock or lease to lapse, reads the checkpoint.
     */
    @Override
    protected void doStop() throws Exception {
        if (source != null) {
            source.awaitPullEnd(endpoint.getService(), endpoint.getOrganization(), STOP_WAIT_MS);
        }
        super.doStop();
    }

    /** Within camel-main's shutdown timeout (8 s) and Docker's grace period (10 s). */
    static final long STOP_WAIT_MS = 5000;

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
