package io.collector.jumpcloud.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * deploy/kubernetes, checked as far as a machine without Kubernetes can: valid YAML, the fields the
 * API requires, and the parts fitting together (the Role grants what camel-kubernetes' Leases use,
 * the Deployment runs two replicas under that account, with collector.cluster=kubernetes and the
 * shared ReadWriteMany state volume). Not applied to a cluster: none runs here.
 */
class KubernetesManifestsTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static Map<String, JsonNode> byKind() throws Exception {
        Map<String, JsonNode> kinds = new HashMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of("deploy/kubernetes"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).toList();
        }
        for (Path f : files) {
            try (var parser = YAML.getFactory().createParser(f.toFile())) {
                for (JsonNode doc : (Iterable<JsonNode>) () -> readAll(parser)) {
                    assertTrue(doc.path("apiVersion").isTextual(), f + ": apiVersion");
                    assertTrue(doc.path("kind").isTextual(), f + ": kind");
                    assertTrue(doc.path("metadata").path("name").asText().matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?"), f + ": metadata.name");
                    kinds.put(doc.path("kind").asText(), doc);
                }
            }
        }
        return kinds;
    }

    private static java.util.Iterator<JsonNode> readAll(com.fasterxml.jackson.core.JsonParser parser) {
        try {
            List<JsonNode> docs = new ArrayList<>();
            YAML.readValues(parser, JsonNode.class).forEachRemaining(docs::add);
            return docs.iterator();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theManifestsFitTogether() throws Exception {
        Map<String, JsonNode> k = byKind();
        JsonNode account = k.get("ServiceAccount");
        JsonNode role = k.get("Role");
        JsonNode binding = k.get("RoleBinding");
        JsonNode claim = k.get("PersistentVolumeClaim");
        JsonNode deployment = k.get("Deployment");

        List<String> leaseVerbs = new ArrayList<>();
        List<String> podVerbs = new ArrayList<>();
        for (JsonNode rule : role.path("rules")) {
            List<String> target = rule.path("resources").toString().contains("leases") ? leaseVerbs
                    : rule.path("resources").toString().contains("pods") ? podVerbs : new ArrayList<>();
            rule.path("verbs").forEach(v -> target.add(v.asText()));
            if (target == leaseVerbs) {
                assertEquals("coordination.k8s.io", rule.path("apiGroups").get(0).asText());
            }
        }
        assertTrue(leaseVerbs.containsAll(List.of("get", "create", "update")), "Leases: " + leaseVerbs);
        assertTrue(podVerbs.contains("list"), "pods: " + podVerbs);
        assertEquals(role.path("metadata").path("name").asText(), binding.path("roleRef").path("name").asText());
        assertEquals(account.path("metadata").path("name").asText(), binding.path("subjects").get(0).path("name").asText());

        assertTrue(claim.path("spec").path("accessModes").toString().contains("ReadWriteMany"), "both replicas mount the state");

        JsonNode spec = deployment.path("spec");
        assertEquals(2, spec.path("replicas").asInt());
        assertEquals(spec.path("selector").path("matchLabels"), spec.path("template").path("metadata").path("labels"));
        JsonNode pod = spec.path("template").path("spec");
        assertEquals(account.path("metadata").path("name").asText(), pod.path("serviceAccountName").asText());
        JsonNode container = pod.path("containers").get(0);
        assertFalse(container.path("image").asText().isEmpty());
        Map<String, String> env = new HashMap<>();
        container.path("env").forEach(e -> env.put(e.path("name").asText(), e.path("value").asText(null)));
        assertEquals("kubernetes", env.get("COLLECTOR_CLUSTER"));
        String stateDir = env.get("COLLECTOR_STATE_DIR");
        String stateVolume = null;
        for (JsonNode m : container.path("volumeMounts")) {
            if (m.path("mountPath").asText().equals(stateDir)) {
                stateVolume = m.path("name").asText();
            }
        }
        assertTrue(stateVolume != null, "the state folder is a mounted volume");
        for (JsonNode v : pod.path("volumes")) {
            if (v.path("name").asText().equals(stateVolume)) {
                assertEquals(claim.path("metadata").path("name").asText(), v.path("persistentVolumeClaim").path("claimName").asText());
            }
        }
        assertTrue(env.containsKey("JUMPCLOUD_API_KEY") && env.containsKey("DEVO_HOST"), env.toString());
    }
}
