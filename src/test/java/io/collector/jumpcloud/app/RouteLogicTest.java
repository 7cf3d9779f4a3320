package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.dedup.EventIdRepository;
import io.collector.jumpcloud.devo.DevoPage;
import io.collector.jumpcloud.sim.EventFactory;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import io.collector.jumpcloud.sim.SimEvent;
import io.collector.jumpcloud.source.EventPage;
import io.collector.jumpcloud.state.StateStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.camel.builder.AdviceWith;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.main.MainConfigurationProperties;
import org.apache.camel.model.IdempotentConsumerDefinition;
import org.apache.camel.test.main.junit5.CamelMainTestSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The route's logic in Camel's own test kit: the shipped routes/jumpcloud-to-devo.yaml stamped for
 * "all" by camel-main ({@link CamelMainTestSupport}), its Devo endpoint replaced by {@code mock:devo}
 * and, for the per-event steps, its JumpCloud endpoint by {@code direct:pages} ({@link AdviceWith}),
 * and {@link NotifyBuilder} to wait for pages instead of sleeping.
 */
class RouteLogicTest extends CamelMainTestSupport {
    static final String ROUTE = "jumpcloud-all";
    static JumpCloudSimulator sim;
    static Path state;
    static final Instant FROM = Instant.now().minus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
    private Path stateDir;

    @BeforeAll
    static void startJumpCloud() throws Exception {
        sim = new JumpCloudSimulator();
        state = Files.createTempDirectory("route-logic");
    }

    @AfterAll
    static void stopJumpCloud() {
        sim.close();
    }

    @Override
    public boolean isUseAdviceWith() {
        return true; // started by each test once its advice is in place
    }

    @Override
    protected void configure(MainConfigurationProperties configuration) {
        configuration.withRoutesIncludePattern("file:routes/*.yaml");
        configuration.addConfiguration(new org.apache.camel.CamelConfiguration() {
            @Override
            public void configure(org.apache.camel.CamelContext camelContext) {
                CollectorBeans.bind(camelContext, Clock.systemUTC()); // the beans the route file names
            }
        });
        configuration.addRoutesBuilder(new ServiceRoutes(List.of("all")));
    }

    @Override
    protected Properties useOverridePropertiesWithPropertiesComponent() {
        Properties p = new Properties();
        p.setProperty("jumpcloud.api-key", JumpCloudSimulator.DEFAULT_API_KEY);
        p.setProperty("jumpcloud.base-url", sim.baseUrl());
        p.setProperty("jumpcloud.page-size", "10");
        p.setProperty("jumpcloud.poll-interval", "200");
        p.setProperty("jumpcloud.historic-date-utc", CollectorRun.historic(FROM));
        if (stateDir == null) {
            stateDir = state.resolve(Long.toString(System.nanoTime())); // a state of its own for each test
        }
        p.setProperty("collector.state-dir", stateDir.toString());
        p.setProperty("devo.hostname", "test-collector");
        p.setProperty("camel.server.port", "0");
        return p; // no devo.host: a dry run, whose stream:out endpoint the advice replaces
    }

    private static EventPage page(String... services) {
        EventFactory f = new EventFactory();
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < services.length; i++) {
            b.append(i == 0 ? "" : ",").append(f.event(services[i], FROM.plusSeconds(i)));
        }
        return EventPage.parse(b.append(']').toString().getBytes(StandardCharsets.UTF_8), null);
    }

    /** Notifications about the route's page exchanges (not its per-event ones: only a page has its line count). */
    private NotifyBuilder pages() {
        return new NotifyBuilder(context).fromRoute(ROUTE).filter(e -> e.getProperty(io.collector.jumpcloud.devo.DevoLines.COUNT) != null
                || e.getException() != null && e.getMessage().getBody() instanceof EventPage);
    }

    private static List<String> lines(MockEndpoint devo, int message) {
        DevoPage body = devo.getReceivedExchanges().get(message).getMessage().getBody(DevoPage.class);
        return body.toString().lines().toList();
    }

    /** Split, duplicates dropped, routed by service, one body of Devo lines a page. */
    @Test
    void aPageIsOneWriteOfItsEventsLinesInTheirTables() throws Exception {
        AdviceWith.adviceWith(context, ROUTE, a -> {
            a.replaceFromWith("direct:pages");
            a.weaveByToString("to\\[direct:devo]").replace().to("mock:devo");
        });
        context.start();
        MockEndpoint devo = getMockEndpoint("mock:devo");
        devo.expectedMessageCount(1);
        EventPage page = page("directory", "sso", "workflows");
        template.sendBodyAndProperty("direct:pages", page, EventIdRepository.PARTITION, "all");
        devo.assertIsSatisfied();
        List<String> lines = lines(devo, 0);
        assertEquals(3, lines.size());
        assertTrue(lines.get(0).contains(" test-collector auth.jumpcloud.directory.events: " + page.events().get(0).getJson()), lines.get(0));
        assertTrue(lines.get(1).contains(" auth.jumpcloud.sso.events: "), lines.get(1));
        assertTrue(lines.get(2).contains(" auth.jumpcloud.other.events: "), "a service without a table: the fallback " + lines.get(2));

        // the same page again: every id a duplicate, nothing is written
        NotifyBuilder again = pages().whenDone(1).create();
        template.sendBodyAndProperty("direct:pages", page, EventIdRepository.PARTITION, "all");
        assertTrue(again.matches(5, TimeUnit.SECONDS));
        devo.assertIsSatisfied();
        assertEquals(1, devo.getReceivedCounter(), "a page of duplicates sends nothing");
    }

    /** A step the user adds (here with the advice builder) stops some events: the others still make the page's write. */
    @Test
    void aStopInTheSplitDropsOnlyItsEvent() throws Exception {
        AdviceWith.adviceWith(context, ROUTE, a -> {
            a.replaceFromWith("direct:pages");
            a.weaveByToString("to\\[direct:devo]").replace().to("mock:devo");
            a.weaveByType(IdempotentConsumerDefinition.class).before()
                    .filter(a.simple("${header.JumpCloudService} == 'sso'")).stop().end();
        });
        context.start();
        MockEndpoint devo = getMockEndpoint("mock:devo");
        devo.expectedMessageCount(1);
        template.sendBodyAndProperty("direct:pages", page("sso", "directory", "sso", "radius"), EventIdRepository.PARTITION, "all");
        devo.assertIsSatisfied();
        List<String> lines = lines(devo, 0);
        assertEquals(2, lines.size(), String.join("\n", lines));
        assertTrue(lines.stream().noneMatch(l -> l.contains("auth.jumpcloud.sso.events")));
    }

    /**
     * The real jumpcloud:events endpoint against the simulator, paging by 10: the checkpoint moves
     * when a page's exchange completes, stays when the relay fails the page, and the page is read
     * again once the relay takes it.
     */
    @Test
    void theCheckpointMovesWhenAPageCompletesAndStaysWhenItFails() throws Exception {
        sim.clearEvents().clearFaults();
        EventFactory f = new EventFactory();
        sim.addEvents(f.series(List.of("directory", "sso"), FROM.plusSeconds(1), Duration.ofSeconds(10), 25));
        AdviceWith.adviceWith(context, ROUTE, a -> a.weaveByToString("to\\[direct:devo]").replace().to("mock:devo"));
        MockEndpoint devo = getMockEndpoint("mock:devo");
        NotifyBuilder threePages = pages().whenCompleted(3).create();
        context.start();
        assertTrue(threePages.matches(20, TimeUnit.SECONDS), "three pages of 10, 10 and 5");
        Instant last = sim.events().get(24).timestamp();
        assertEquals(last, new StateStore(stateDir).load("all").orElseThrow().state().lastPolledTimestamp());

        // the relay fails the next page: its events do not count, the checkpoint stays
        devo.whenAnyExchangeReceived(e -> {
            throw new java.io.IOException("the relay is down (test)");
        });
        NotifyBuilder failed = pages().whenFailed(1).create();
        sim.addEvents(f.series(List.of("radius"), FROM.plusSeconds(600), Duration.ofSeconds(1), 5));
        List<SimEvent> later = sim.events().subList(25, 30);
        assertTrue(failed.matches(20, TimeUnit.SECONDS), "the page fails");
        assertEquals(last, new StateStore(stateDir).load("all").orElseThrow().state().lastPolledTimestamp());

        // the relay is back: the page is read again and its events sent once
        devo.reset();
        devo.whenAnyExchangeReceived(e -> { });
        devo.expectedMessageCount(1);
        NotifyBuilder again = pages().whenCompleted(1).create();
        devo.assertIsSatisfied(20_000); // the page read again
        assertTrue(again.matches(20, TimeUnit.SECONDS), "and completed: its commit ran");
        List<String> sent = lines(devo, 0);
        assertEquals(later.stream().map(SimEvent::raw).toList(), sent.stream().map(l -> l.substring(l.indexOf(": ") + 2)).toList());
        assertEquals(later.get(4).timestamp(), new StateStore(stateDir).load("all").orElseThrow().state().lastPolledTimestamp());
    }
}
