package io.collector.jumpcloud.component;

import java.util.Map;
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
