package io.collector.jumpcloud.component;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A route's own {@code jumpcloud:events} options name its state files (the service, the organization):
 * on the collector's shared source they are JumpCloud names or the route does not start, so a value such
 * as {@code ../../../tmp/x} never becomes a path outside the state folder.
 */
class JumpCloudEndpointTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "service=../../../tmp/x | service '../../../tmp/x' is not a JumpCloud service name",
            "service=SSO | service 'SSO' is not a JumpCloud service name",
            "service=sso&organization=../x | organization '../x' is not an organization id",
            "service=sso&organization=5bf6defbdcd8233029e0c598,.. | is not an organization id"})
    void optionsThatAreNotJumpCloudNamesStopTheRouteBeforeAnyFile(String options, String message) throws Exception {
        try (DefaultCamelContext context = new DefaultCamelContext()) {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("jumpcloud:events?" + options).to("log:x");
                }
            });
            Exception e = assertThrows(Exception.class, context::start);
            StringBuilder all = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                all.append(t.getMessage()).append(" / ");
            }
            assertTrue(all.toString().contains(message), all.toString());
        }
    }
}
