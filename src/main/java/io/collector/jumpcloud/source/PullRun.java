package io.collector.jumpcloud.source;

import io.collector.jumpcloud.dedup.EventIdRepository;
import java.util.function.BooleanSupplier;
import org.apache.camel.Exchange;

/**
 * One pull of one route: the query from the checkpoint ({@link QueryPlanner}), its pages in order
 * ({@link PageFetcher}, asking ahead), failed requests retried ({@link PageRetry}), each page handed
 * to the route as one exchange that commits it on completion ({@link PageCommit}), the count check
 * between pages ({@link CountCheckStep}), and the pull's log ({@link PullLog}). A page the route
 * fails ends the pull; the next one starts again from the checkpoint.
 */
public final class PullRun {
    /** Sends one page through the route and returns its exchange once the route is done with it. */
    @FunctionalInterface
    public interface PageSender {
        Exchange send(PageToSend page) throws Exception;
    }

    /** A page for the route: {@link #prepare} makes an exchange of it. */
    public static final class PageToSend {
        private final Pull pull;
        private final FetchedPage fetched;
        private final PageCommit commit;

        PageToSend(Pull pull, FetchedPage fetched, PageCommit commit) {
            this.pull = pull;
            this.fetched = fetched;
            this.commit = commit;
        }

        /** The page's events as the body; the commit on the exchange's completion; the route's id memory chosen. */
        public void prepare(Exchange exchange) {
            exchange.getMessage().setBody(commit.toSend());
            exchange.setProperty(EventIdRepository.PARTITION, pull.puller().stateKey());
            exchange.getExchangeExtension().addOnCompletion(commit);
        }
    }

    private final JumpCloudSource source;
    private final String service;
    private final String org;
    private final BooleanSupplier stopping;

    public PullRun(JumpCloudSource source, String service, String org, BooleanSupplier stopping) {
        this.source = source;
        this.service = service;
        this.org = org;
        this.stopping = stopping;
    }

    /** Runs the pull; returns the number of pages the route completed. */
    public int run(PageSender sender) {
        RouteState route = source.route(service, org);
        if (route.blocked() != null || !route.tryStart()) {
            return 0; // said at start: the state file cannot be trusted
        }
        if (!source.load(route)) { // its state not read yet: said in the log, read again at the next poll
            route.finished();
            return 0;
        }
        Pull pull = null;
        PageFetcher fetcher = null;
        int pages = 0;
        CountCheckStep countCheck = new CountCheckStep(source.counts(), source.metrics());
        PageRetry retry = new PageRetry(new RetryPolicy(source.settings().maxRetries(), source.settings().retryDelayMs(),
                source.settings().retryMaxDelayMs()), source.metrics(), source.quarantine(), source.log(), source.clock());
        try {
            pull = source.planner().plan(route);
            if (pull == null) {
                return 0;
            }
            fetcher = new PageFetcher(source.client(), source.pageMemory(), source.pageThreads(), source.settings().maxPageBytes(),
                    source.settings().pageSize(), stopping, pull, source.metrics());
            if (pull.queryDone()) {
                countCheck.startRefetch(pull); // the count check's windows only
            }
            while (pull.hasMorePages()) {
                if (stopping.getAsBoolean()) {
                    throw new StoppingException();
                }
                FetchedPage fetched;
                pull.awaitingPage();
                try {
                    fetched = fetcher.next();
                } catch (StoppingException e) {
                    throw e;
                } catch (Exception e) {
                    retry.handle(pull, e, stopping); // returns when the pull goes on, throws when it ends
                    continue;
                }
                pull.checkProgress(fetched.page(), fetched.cursor(), fetched.full()); // a cursor that loops ends the pull (PullError 305)
                pull.nextPage(fetched.page(), fetched.cursor(), fetched.full());
                source.metrics().received(pull.service(), pull.org(), fetched.page().size());
                source.metrics().pageReceived(pull.service(), pull.org());
                source.log().received(pull, fetched.page());
                // the events of the checkpoint's second (or of a window fetched again) delivered before come back
                // by the query's design: dropped here, exactly, so every route of the source sends them once
                // (and what a route of another shape sent of the same organizations: jumpcloud.orgs-per-request changed)
                EventPage toSend = fetched.page().without(e -> route.seen().deliveredExactly(e.getId(), e.getTimestamp().getEpochSecond())
                        || route.sentByAnotherShape(e));
                sender.send(new PageToSend(pull, fetched, new PageCommit(pull, fetched.page(), toSend, fetcher, source)));
                if (pull.failure() != null) {
                    throw pull.failure();
                }
                pages++;
                countCheck.afterPage(pull, stopping);
            }
        } catch (Exception e) {
            if (pull != null) {
                pull.fail();
                int forgotten = route.rollback(); // the failed page's ids: sent again by the next pull
                if (e instanceof CursorLoopException) {
                    source.metrics().routeProblem(pull.service(), pull.org(), PullLog.describe(e));
                }
                // a request or a send cut by the shutdown itself is not an error of the pull
                source.log().failed(pull, stopping.getAsBoolean() && !(e instanceof StateWriteException) ? new StoppingException() : e,
                        forgotten);
            }
        } finally {
            if (fetcher != null) {
                fetcher.close();
            }
            if (pull != null) {
                route.seen().refetching(null);
                route.saveLedger();
                if (!pull.failed() && !pull.hasMorePages()) {
                    source.metrics().pullSucceeded(pull.service(), pull.org());
                    source.metrics().routeProblem(pull.service(), pull.org(), null);
                }
                source.log().finished(pull);
            }
            route.finished();
        }
        return pages;
    }
}
