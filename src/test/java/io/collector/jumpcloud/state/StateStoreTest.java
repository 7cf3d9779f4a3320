package io.collector.jumpcloud.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {
    @TempDir
    Path dir;

    @Test
    void roundTripsToTheNanosecondInTheReferenceShape() throws Exception {
        StateStore store = new StateStore(dir);
        ServiceState s = new ServiceState(Instant.parse("2025-06-18T01:40:48.953462371Z"),
                Instant.parse("2025-06-01T00:00:00Z"), List.of("a", "b"));
        store.save("mdm", s);
        assertEquals(s, store.load("mdm").orElseThrow());
        JsonNode n = new ObjectMapper().readTree(dir.resolve("mdm.json").toFile());
        assertTrue(Files.readString(dir.resolve("mdm.json")).contains("\"last_polled_timestamp\":1750210848.953462371"),
                "epoch seconds with all nine digits");
        assertTrue(n.get("last_polled_timestamp").isNumber());
        assertEquals(2, n.get("ids_with_same_timestamp").size());
        assertEquals(ServiceState.PERSISTENCE_VERSION, n.get("@persistence_version").asInt());
        try (var files = Files.list(dir)) {
            assertEquals(List.of("mdm.json"), files.map(p -> p.getFileName().toString()).toList(), "no temp file left behind");
        }
    }

    @Test
    void missingStateIsEmptyAndBrokenStateNamesTheFile() throws Exception {
        StateStore store = new StateStore(dir);
        assertFalse(store.load("sso").isPresent());
        Files.writeString(dir.resolve("sso.json"), "{\"last_polled_timestamp\": 17");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> store.load("sso"));
        assertTrue(e.getMessage().contains("sso.json"), e.getMessage());
    }
}
