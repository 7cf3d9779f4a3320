import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * Writes the Karaf features repository of the Camel modules this build resolved (docs/karaf.md),
 * since camel-karaf publishes none for this Camel version. Run by the pom (exec-maven-plugin, with
 * Java's source launcher) after {@code dependency:tree} wrote the runtime dependencies as TGF:
 *
 * <pre>java CamelFeatures.java TREE.tgf LOCAL_REPOSITORY OUT.xml REPOSITORY_NAME FEATURE_NAME</pre>
 *
 * The feature holds every artifact under the project's own org.apache.camel dependencies, except
 * what only the standalone collector uses. Camel 4 jars are plain jars: each is wrapped
 * ({@code wrap:mvn:...$Bundle-SymbolicName=...&Bundle-Version=...&Export-Package=*;version=...}) so that
 * its packages carry the version the collector's bundle imports; real bundles are listed as they
 * are, but for the few whose own manifest does not resolve in Karaf, fixed the way camel-karaf
 * fixes them (its features/src/main/feature/camel-features.xml).
 */
public final class CamelFeatures {
    /** Not followed, nor anything only they bring: camel-main's embedded HTTP server (Vert.x) for /observe. */
    static final Set<String> LEAVE_OUT_WITH_DEPENDENCIES = Set.of("org.apache.camel:camel-platform-http-main",
            // replicas (collector.cluster) are the standalone collector's: Karaf has its own clustering
            "org.apache.camel:camel-master", "org.apache.camel:camel-kubernetes");

    /** Left out, their dependencies kept. */
    static final Map<String, String> LEAVE_OUT = Map.of(
            "org.apache.camel:camel-main", "the standalone CollectorApplication's; the bundle imports it optionally",
            "org.apache.camel:camel-micrometer-prometheus", "camel-main's metrics service; the bundle uses Micrometer itself",
            "org.apache.camel:camel-micrometer", "only camel-micrometer-prometheus uses it",
            "io.smallrye:jandex", "only camel-micrometer-prometheus uses it",
            "org.slf4j:slf4j-api", "Karaf's pax-logging exports org.slf4j");

    /**
     * Bundles whose own manifest does not resolve in Karaf, re-wrapped with camel-karaf's instructions
     * (its features camel-micrometer-prometheus and camel-micrometer); {version} is the artifact's.
     */
    static final Map<String, String> FIXES = Map.of(
            // imports com.sun.management, which Karaf's system bundle does not export (etc/jre.properties)
            "io.micrometer:micrometer-core", "overwrite=merge&Import-Package=*;resolution:=optional",
            // holds io.prometheus.metrics.expositionformats.internal (and its shaded protobuf) but exports neither
            "io.prometheus:prometheus-metrics-exposition-formats", "overwrite=full&Export-Package=*;version={version}&Import-Package=*",
            // imports ...expositionformats.internal and jsr305's javax.annotation 3 (Karaf exports 1.3)
            "io.prometheus:prometheus-metrics-exposition-textformats", "overwrite=merge&Import-Package=*;resolution:=optional");

    /**
     * Bundles a listed bundle's manifest requires that Maven does not bring (optional there): the
     * pom's dependency:copy execution karaf-only-artifacts puts them in the local repository.
     */
    static final Map<String, List<String>> ALSO = Map.of(
            // prometheus-metrics-core imports io.prometheus.metrics.tracer.initializer, which imports otel and agent
            "io.prometheus:prometheus-metrics-core", List.of("io.prometheus:prometheus-metrics-tracer-initializer",
                    "io.prometheus:prometheus-metrics-tracer-otel", "io.prometheus:prometheus-metrics-tracer-otel-agent"));

    record Artifact(String groupId, String artifactId, String classifier, String version, String scope) {
        static Artifact parse(String label) {
            String[] p = label.trim().split(":");
            // groupId:artifactId:type[:classifier]:version[:scope]; the root has no scope
            if (p.length == 4) {
                return new Artifact(p[0], p[1], "", p[3], "");
            }
            return p.length == 6 ? new Artifact(p[0], p[1], p[3], p[4], p[5]) : new Artifact(p[0], p[1], "", p[3], p[4]);
        }

        String key() {
            return groupId + ":" + artifactId;
        }

        String mvn() {
            return "mvn:" + groupId + "/" + artifactId + "/" + version + (classifier.isEmpty() ? "" : "/jar/" + classifier);
        }

        Path jar(Path repository) {
            return repository.resolve(groupId.replace('.', '/')).resolve(artifactId).resolve(version)
                    .resolve(artifactId + "-" + version + (classifier.isEmpty() ? "" : "-" + classifier) + ".jar");
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 5) {
            throw new IllegalArgumentException("usage: CamelFeatures TREE.tgf LOCAL_REPOSITORY OUT.xml REPOSITORY_NAME FEATURE_NAME");
        }
        Path repository = Path.of(args[1]);
        List<Artifact> artifacts = camelClosure(Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8));
        String camelVersion = artifacts.stream().filter(a -> a.key().equals("org.apache.camel:camel-api")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no camel-api among the dependencies")).version();

        StringBuilder xml = new StringBuilder();
        xml.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<!-- Generated by src/build/java/CamelFeatures.java from the dependencies this build resolved: do not edit. -->\n")
                .append("<features name=\"").append(args[3]).append("\" xmlns=\"http://karaf.apache.org/xmlns/features/v1.6.0\">\n\n")
                .append("  <feature name=\"").append(args[4]).append("\" version=\"").append(camelVersion)
                .append("\" description=\"Apache Camel ").append(camelVersion)
                .append(" as the JumpCloud to Devo collector uses it: its modules wrapped as bundles, with their dependencies\">\n")
                .append("    <feature prerequisite=\"true\">wrap</feature>\n");
        Map<String, String> exporters = new TreeMap<>();
        for (Artifact a : artifacts) {
            xml.append("    <bundle>").append(location(a, repository, exporters).replace("&", "&amp;")).append("</bundle>\n");
        }
        xml.append("  </feature>\n\n</features>\n");
        Path out = Path.of(args[2]);
        Files.createDirectories(out.getParent());
        Files.writeString(out, xml, StandardCharsets.UTF_8);
        System.out.println("[CamelFeatures] " + artifacts.size() + " bundles -> " + out);
    }

    /** The artifacts under the project's org.apache.camel dependencies, in the tree's order. */
    static List<Artifact> camelClosure(List<String> tgf) {
        Map<String, Artifact> nodes = new LinkedHashMap<>();
        Map<String, List<String>> children = new LinkedHashMap<>();
        boolean edges = false;
        String root = null;
        for (String line : tgf) {
            if (line.isBlank()) {
                continue;
            }
            if (line.trim().equals("#")) {
                edges = true;
                continue;
            }
            String[] p = line.trim().split(" ", 3);
            if (!edges) {
                nodes.put(p[0], Artifact.parse(p[1]));
                root = root == null ? p[0] : root;
            } else {
                children.computeIfAbsent(p[0], k -> new ArrayList<>()).add(p[1]);
            }
        }
        Set<String> seen = new LinkedHashSet<>();
        for (String direct : children.getOrDefault(root, List.of())) {
            if (nodes.get(direct).groupId().equals("org.apache.camel")) {
                walk(direct, nodes, children, seen);
            }
        }
        List<Artifact> out = new ArrayList<>();
        for (String id : seen) {
            Artifact a = nodes.get(id);
            if (!LEAVE_OUT.containsKey(a.key()) && a.scope().matches("compile|runtime")
                    && out.stream().noneMatch(o -> o.key().equals(a.key()))) {
                out.add(a);
                for (String extra : ALSO.getOrDefault(a.key(), List.of())) {
                    String[] ga = extra.split(":");
                    out.add(new Artifact(ga[0], ga[1], "", a.version(), a.scope()));
                }
            }
        }
        return out;
    }

    private static void walk(String id, Map<String, Artifact> nodes, Map<String, List<String>> children, Set<String> seen) {
        if (LEAVE_OUT_WITH_DEPENDENCIES.contains(nodes.get(id).key()) || !seen.add(id)) {
            return;
        }
        for (String child : children.getOrDefault(id, List.of())) {
            walk(child, nodes, children, seen);
        }
    }

    /** The bundle's location: as it is if it is a bundle (fixed if listed), else wrapped with its version. */
    static String location(Artifact a, Path repository, Map<String, String> exporters) {
        Path jar = a.jar(repository);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(a.mvn() + " is not in the local repository (" + jar + ")");
        }
        Manifest manifest;
        Set<String> packages = new LinkedHashSet<>();
        try (JarFile j = new JarFile(jar.toFile())) {
            manifest = j.getManifest();
            j.stream().map(e -> e.getName())
                    .filter(n -> n.endsWith(".class") && n.contains("/") && !n.startsWith("META-INF/"))
                    .forEach(n -> packages.add(n.substring(0, n.lastIndexOf('/')).replace('/', '.')));
        } catch (IOException e) {
            throw new UncheckedIOException(jar.toString(), e);
        }
        for (String p : packages) { // one package, one exporter: OSGi wires an import to one bundle
            String other = exporters.put(p, a.key());
            if (other != null) {
                throw new IllegalStateException("package " + p + " is in both " + other + " and " + a.key());
            }
        }
        String symbolicName = manifest == null ? null : manifest.getMainAttributes().getValue("Bundle-SymbolicName");
        String fix = FIXES.get(a.key());
        if (fix != null) {
            if (symbolicName == null) {
                throw new IllegalStateException(a.key() + " is no longer a bundle: check its fix " + fix);
            }
            return "wrap:" + a.mvn() + "$Bundle-SymbolicName=" + symbolicName.split(";")[0].trim() + "&Bundle-Version="
                    + osgiVersion(a.version()) + "&" + fix.replace("{version}", osgiVersion(a.version()));
        }
        if (symbolicName != null) {
            return a.mvn();
        }
        String version = osgiVersion(a.version());
        String imports = a.groupId().equals("org.apache.camel")
                ? "org.apache.camel.*;version=\"[" + version.replaceAll("^(\\d+\\.\\d+).*", "$1") + "," + nextMinor(version)
                        + ")\";resolution:=optional,*;resolution:=optional"
                : "*;resolution:=optional";
        return "wrap:" + a.mvn() + "$Bundle-SymbolicName=" + a.groupId() + "." + a.artifactId() + "&Bundle-Version=" + version
                + "&Export-Package=*;version=" + version + "&Import-Package=" + imports;
    }

    /** 4.18.0 -> 4.18.0, 4.1.130.Final -> 4.1.130.Final, 1.0-SNAPSHOT -> 1.0.0.SNAPSHOT */
    static String osgiVersion(String maven) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?(?:[.-](.*))?").matcher(maven);
        if (!m.matches()) {
            return "0.0.0." + maven.replaceAll("[^A-Za-z0-9_-]", "_");
        }
        String v = m.group(1) + "." + (m.group(2) == null ? "0" : m.group(2)) + "." + (m.group(3) == null ? "0" : m.group(3));
        return m.group(4) == null ? v : v + "." + m.group(4).replaceAll("[^A-Za-z0-9_-]", "_");
    }

    static String nextMinor(String osgiVersion) {
        String[] p = osgiVersion.split("\\.");
        return p[0] + "." + (Integer.parseInt(p[1]) + 1);
    }
}
