package io.collector.jumpcloud.component;

import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;

/**
 * {@code jumpcloud:events}: JumpCloud Directory Insights events as a polling consumer, one exchange
 * per page, the checkpoint committed when a page's exchange completes. The collector's routes and
 * the {@code jumpcloud-insights-source} Kamelet both read JumpCloud through it.
 */
@Component("jumpcloud")
public final class JumpCloudComponent extends DefaultComponent {
    /**
     * Pulls running at once, all routes together: an MSP's hundreds of routes (organizations x
     * services) share these threads instead of one each; the request budget is shared anyway.
     */
    static final int PULL_THREADS = 16;

    private ScheduledExecutorService pulls;

    /** The scheduler every endpoint's consumer polls on, unless the endpoint was given one of its own. */
    synchronized ScheduledExecutorService pullScheduler() {
        if (pulls == null) {
            pulls = getCamelContext().getExecutorServiceManager().newScheduledThreadPool(this, "JumpCloudPull", PULL_THREADS);
        }
        return pulls;
    }

    @Override
    protected synchronized void doStop() throws Exception {
        if (pulls != null) { // the routes, and their pulls, stopped first
            getCamelContext().getExecutorServiceManager().shutdownNow(pulls);
            pulls = null;
        }
        super.doStop();
    }
    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        if (!"events".equals(remaining)) {
            throw new IllegalArgumentException("jumpcloud:" + remaining + " is not an endpoint of this component: use jumpcloud:events");
        }
        JumpCloudEndpoint endpoint = new JumpCloudEndpoint(uri, this);
        setProperties(endpoint, parameters);
        return endpoint;
    }
}
