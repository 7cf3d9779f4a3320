package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.config.SettingsException;
import io.collector.jumpcloud.sim.JumpCloudSimulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's route file from before replicas (its consumer jumpcloud:events, not "{{source}}") with
 * collector.cluster set would pull on every replica at once: the start stops, naming the setting and
 * the fix, and no pull starts.
 */
class ReplicaRouteCheckTest {
    @TempDir
    Path dir;

    @Test
    void aRouteNotUnderMasterStopsAClusteredStart() throws Exception {
        String shipped = Files.readString(Path.of("routes/jumpcloud-to-devo.yaml"), StandardCharsets.UTF_8);
        assertTrue(shipped.contains("uri: \"{{source}}\""), "the shipped route reads through {{source}}");
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.writeString(routes.resolve("jumpcloud-to-devo.yaml"), shipped.replace("uri: \"{{source}}\"", "uri: \"jumpcloud:events\""));
        try (JumpCloudSimulator sim = new JumpCloudSimulator();
             CollectorRun run = new CollectorRun(sim.baseUrl(), JumpCloudSimulator.DEFAULT_API_KEY, dir.resolve("state"))
                     .set("camel.main.routes-include-pattern", "file:" + routes + "/*.yaml")
                     .set("collector.cluster", "file:" + dir.resolve("cluster"))) {
            Exception e = assertThrows(Exception.class, run::start);
            SettingsException bad = CollectorApplication.settingsProblem(e);
            assertTrue(bad != null && bad.getMessage().startsWith("collector.cluster: is set, but route jumpcloud-all reads JumpCloud "
                    + "with 'jumpcloud://events' on every replica at once"), String.valueOf(e));
            assertTrue(sim.eventRequests().stream().allMatch(r -> "1".equals(r.bodyText("limit"))),
                    "no pull: only the start's credentials check (limit 1) asked JumpCloud");
        }
    }
}
