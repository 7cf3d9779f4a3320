package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.transform.stream.StreamSource;
import javax.xml.validation.SchemaFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * README "Karaf", as far as it can be checked without a Karaf runtime: the packaged thin jar is an
 * OSGi bundle with the right headers, the runnable fat jar is not one, and the features repository
 * is valid against Karaf's features schema and installs this bundle at this version.
 */
class BundleManifestIT {
    static final String VERSION_RANGE = "\\[(\\d+)\\.(\\d+)(?:\\.\\d+)?,(\\d+)(?:\\.\\d+)*\\)";

    static Path file(String property) {
        Path p = Path.of(System.getProperty(property, "missing-" + property));
        assertTrue(Files.isRegularFile(p), p + " (system property " + property + "): run mvn package first");
        return p;
    }

    static Attributes manifest(Path jar) throws Exception {
        try (JarFile j = new JarFile(jar.toFile())) {
            Manifest m = j.getManifest();
            assertNotNull(m, jar + " has a manifest");
            return m.getMainAttributes();
        }
    }

    /** Package -> its attributes text, from an OSGi header (commas inside quotes do not split). */
    static Map<String, String> clauses(String header) {
        Map<String, String> out = new LinkedHashMap<>();
        Matcher m = Pattern.compile("([^,;\"]+)((?:;(?:[^,\"]|\"[^\"]*\")*)?)").matcher(header);
        while (m.find()) {
            out.put(m.group(1).trim(), m.group(2));
        }
        return out;
    }

    /** The project version, from the pom.properties Maven put in the jar. */
    static String projectVersion() throws Exception {
        try (JarFile j = new JarFile(file("bundle.jar").toFile())) {
            java.util.Properties p = new java.util.Properties();
            p.load(j.getInputStream(j.getEntry("META-INF/maven/io.collector/jumpcloud-devo-collector/pom.properties")));
            return p.getProperty("version");
        }
    }

    @Test
    void theThinJarIsAnOsgiBundle() throws Exception {
        Attributes a = manifest(file("bundle.jar"));
        String release = projectVersion().replace("-SNAPSHOT", "");
        assertEquals("2", a.getValue("Bundle-ManifestVersion"));
        assertEquals("io.collector.jumpcloud-devo-collector", a.getValue("Bundle-SymbolicName"));
        assertTrue(a.getValue("Bundle-Version").startsWith(release + "."), a.getValue("Bundle-Version"));

        Map<String, String> exports = clauses(a.getValue("Export-Package"));
        for (String p : List.of("io.collector.jumpcloud.app", "io.collector.jumpcloud.config", "io.collector.jumpcloud.source",
                "io.collector.jumpcloud.devo", "io.collector.jumpcloud.dedup", "io.collector.jumpcloud.state",
                "io.collector.jumpcloud.tls", "io.collector.jumpcloud.kamelet")) {
            assertTrue(exports.containsKey(p), p + " exported: " + exports.keySet());
            assertTrue(exports.get(p).contains("version=\"" + release + "\""), p + exports.get(p));
        }

        Map<String, String> imports = clauses(a.getValue("Import-Package"));
        List<String> camel = imports.keySet().stream().filter(p -> p.startsWith("org.apache.camel")).toList();
        assertTrue(camel.containsAll(List.of("org.apache.camel", "org.apache.camel.builder", "org.apache.camel.spi",
                "org.apache.camel.support", "org.apache.camel.component.netty")), "Camel imports: " + camel);
        for (String p : camel) {
            Matcher r = Pattern.compile("version=\"" + VERSION_RANGE + "\"").matcher(imports.get(p));
            assertTrue(r.find(), p + " has a version range: " + imports.get(p));
            int lowMajor = Integer.parseInt(r.group(1));
            int lowMinor = Integer.parseInt(r.group(2));
            int highMajor = Integer.parseInt(r.group(3));
            assertTrue(lowMajor == 4 && lowMinor <= 18 && highMajor >= 5, p + ": " + imports.get(p) + " covers 4.18");
        }
        assertTrue(imports.get("sun.misc").contains("resolution:=optional"), "the signal handler is optional in OSGi");

        // what the standalone run reads from the class path travels in the bundle too
        try (JarFile j = new JarFile(file("bundle.jar").toFile())) {
            for (String r : List.of("routes/jumpcloud-to-devo.yaml", "kamelets/jumpcloud-insights-source.kamelet.yaml",
                    "application.properties", "io/collector/jumpcloud/app/JumpCloudDevoRoutes.class")) {
                assertNotNull(j.getEntry(r), r + " in the bundle");
            }
            assertNull(j.getEntry("org/apache/camel/CamelContext.class"), "thin: no dependency inside");
        }
    }

    @Test
    void theFatJarIsForJavaDashJarOnly() throws Exception {
        Attributes a = manifest(CollectorProcess.jar());
        assertEquals("io.collector.jumpcloud.app.CollectorApplication", a.getValue("Main-Class"));
        assertEquals("true", a.getValue("Multi-Release"));
        assertNull(a.getValue("Bundle-SymbolicName"), "the shaded jar must not pose as the bundle");
        assertNull(a.getValue("Import-Package"));
    }

    @Test
    void theFeaturesRepositoryIsValidAndInstallsThisBundle() throws Exception {
        Path features = file("features.xml");
        String xsd = "/org/apache/karaf/features/karaf-features-1.6.0.xsd";
        try (InputStream schema = BundleManifestIT.class.getResourceAsStream(xsd)) {
            assertNotNull(schema, xsd + " from org.apache.karaf.features.core");
            SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI).newSchema(new StreamSource(schema))
                    .newValidator().validate(new StreamSource(features.toFile()));
        }
        String text = Files.readString(features);
        assertFalse(text.contains("${"), "every Maven property was filled in");

        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        Document doc = dbf.newDocumentBuilder().parse(features.toFile());
        String version = projectVersion();
        assertEquals("jumpcloud-devo-collector-" + version, doc.getDocumentElement().getAttribute("name"));

        Element feature = null;
        NodeList fs = doc.getElementsByTagNameNS("*", "feature");
        for (int i = 0; i < fs.getLength(); i++) {
            Element e = (Element) fs.item(i);
            if ("jumpcloud-devo-collector".equals(e.getAttribute("name"))) {
                feature = e;
            }
        }
        assertNotNull(feature, "the feature jumpcloud-devo-collector");
        assertEquals(version, feature.getAttribute("version"));

        List<String> bundles = new ArrayList<>();
        List<String> camelFeatures = new ArrayList<>();
        for (int i = 0; i < feature.getChildNodes().getLength(); i++) {
            if (feature.getChildNodes().item(i) instanceof Element e) {
                if (e.getLocalName().equals("bundle")) {
                    bundles.add(e.getTextContent().trim());
                } else if (e.getLocalName().equals("feature")) {
                    camelFeatures.add(e.getTextContent().trim());
                    assertEquals("4.18.0", e.getAttribute("version"), e.getTextContent());
                }
            }
        }
        assertTrue(bundles.contains("mvn:io.collector/jumpcloud-devo-collector/" + version), bundles.toString());
        assertTrue(camelFeatures.containsAll(List.of("camel-core", "camel-yaml-dsl", "camel-kamelet", "camel-http", "camel-netty")),
                camelFeatures.toString());
        NodeList repos = doc.getElementsByTagNameNS("*", "repository");
        assertEquals("mvn:org.apache.camel.karaf/apache-camel/4.18.0/xml/features", repos.item(0).getTextContent().trim());

        // every third-party bundle is an artifact the build resolved; a plain jar must be wrapped
        Path m2 = Path.of(System.getProperty("user.home"), ".m2", "repository");
        for (String b : bundles) {
            if (b.startsWith("mvn:io.collector/")) {
                continue;
            }
            boolean wrapped = b.startsWith("wrap:");
            String[] gav = b.replaceFirst("^(wrap:)?mvn:", "").split("/");
            Path jar = m2.resolve(gav[0].replace('.', '/')).resolve(gav[1]).resolve(gav[2]).resolve(gav[1] + "-" + gav[2] + ".jar");
            assertTrue(Files.isRegularFile(jar), b + " is a real artifact (" + jar + ")");
            String bsn = manifest(jar).getValue("Bundle-SymbolicName");
            assertEquals(wrapped, bsn == null, b + (wrapped ? " is already a bundle: drop wrap:" : " is no bundle: use wrap:"));
            provided.addAll(wrapped ? packagesIn(jar) : clauses(String.valueOf(manifest(jar).getValue("Export-Package"))).keySet());
        }

        // every package the bundle needs has a provider: the JDK, Karaf, a Camel feature of the list, or a listed bundle
        Map<String, String> camelFeatureModules = Map.of("camel-core", "org.apache.camel", "camel-jackson", "com.fasterxml.jackson.",
                "camel-netty", "io.netty.", "camel-yaml-dsl", "org.snakeyaml.engine.", "camel-http", "org.apache.hc.");
        List<String> unresolved = new ArrayList<>();
        clauses(manifest(file("bundle.jar")).getValue("Import-Package")).forEach((pkg, attrs) -> {
            boolean optional = attrs.contains("resolution:=optional");
            boolean fromFeature = camelFeatureModules.entrySet().stream()
                    .anyMatch(f -> camelFeatures.contains(f.getKey()) && pkg.startsWith(f.getValue()));
            boolean ok = optional || pkg.startsWith("java.") || pkg.startsWith("javax.") || pkg.startsWith("org.osgi.")
                    || pkg.equals("org.slf4j") || pkg.startsWith("io.collector.jumpcloud") || provided.contains(pkg)
                    // camel-karaf's camel-core wraps Camel's core modules; camel-main and camel-health are not among them
                    || fromFeature && !pkg.startsWith("org.apache.camel.main") && !pkg.startsWith("org.apache.camel.impl.health");
            if (!ok) {
                unresolved.add(pkg);
            }
        });
        assertEquals(List.of(), unresolved, "imported packages no listed feature or bundle provides");
    }

    private final java.util.Set<String> provided = new java.util.HashSet<>();

    /** The packages a plain jar holds (what wrap: exports). */
    static java.util.Set<String> packagesIn(Path jar) throws Exception {
        java.util.Set<String> out = new java.util.HashSet<>();
        try (JarFile j = new JarFile(jar.toFile())) {
            j.stream().map(e -> e.getName()).filter(n -> n.endsWith(".class") && n.contains("/") && !n.startsWith("META-INF/"))
                    .forEach(n -> out.add(n.substring(0, n.lastIndexOf('/')).replace('/', '.')));
        }
        return out;
    }
}
