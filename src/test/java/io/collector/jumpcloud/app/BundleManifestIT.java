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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
 * docs/karaf.md, the quick checks without a Karaf runtime (KarafIT runs one): the packaged thin jar
 * is an OSGi bundle with the right headers, the runnable fat jar is not one, and the two features
 * repositories are valid against Karaf's features schema, install this bundle at this version and
 * list the artifacts the build resolved.
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
        // the bundle starts its routes itself (docs/karaf.md); the activator's package stays private
        assertEquals("io.collector.jumpcloud.osgi.CollectorActivator", a.getValue("Bundle-Activator"));
        assertFalse(a.getValue("Export-Package").contains("io.collector.jumpcloud.osgi"), a.getValue("Export-Package"));
        assertTrue(a.getValue("Bundle-Version").startsWith(release + "."), a.getValue("Bundle-Version"));

        Map<String, String> exports = clauses(a.getValue("Export-Package"));
        for (String p : List.of("io.collector.jumpcloud.app", "io.collector.jumpcloud.config", "io.collector.jumpcloud.source",
                "io.collector.jumpcloud.devo", "io.collector.jumpcloud.dedup", "io.collector.jumpcloud.state",
                "io.collector.jumpcloud.tls", "io.collector.jumpcloud.component")) {
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
                    "collector-settings.schema.json", "io/collector/jumpcloud/app/JumpCloudDevoRoutes.class")) {
                assertNotNull(j.getEntry(r), r + " in the bundle");
            }
            // a root application.properties would take over the embedding application's (camel-main reads it first)
            assertNull(j.getEntry("application.properties"), "no root application.properties in the bundle");
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
        Document doc = validFeatures(file("features.xml"));
        String version = projectVersion();
        assertEquals("jumpcloud-devo-collector-" + version, doc.getDocumentElement().getAttribute("name"));
        Element feature = feature(doc, "jumpcloud-devo-collector");
        assertEquals(version, feature.getAttribute("version"));

        List<String> bundles = children(feature, "bundle");
        assertTrue(bundles.contains("mvn:io.collector/jumpcloud-devo-collector/" + version), bundles.toString());
        // Camel from the build's own repository (camel-karaf publishes none for 4.18)
        NodeList repos = doc.getElementsByTagNameNS("*", "repository");
        assertEquals("mvn:io.collector/jumpcloud-devo-collector/" + version + "/xml/camel-features", repos.item(0).getTextContent().trim());
        Element camel = null;
        for (Element e : childElements(feature, "feature")) {
            camel = e;
        }
        assertEquals("jumpcloud-devo-collector-camel", camel == null ? null : camel.getTextContent().trim());
        assertEquals("4.18.0", camel.getAttribute("version"));
        for (String b : bundles) {
            if (!b.startsWith("mvn:io.collector/")) {
                checkArtifact(b, false);
            }
        }
    }

    /**
     * The generated Camel repository lists what the build resolved, each plain jar wrapped with the
     * version the bundle imports; and every package the bundle imports has a provider among the two
     * repositories' bundles or the JDK and Karaf (KarafIT checks it for real, in Karaf).
     */
    @Test
    void theCamelFeaturesRepositoryProvidesWhatTheBundleImports() throws Exception {
        Document doc = validFeatures(file("camel-features.xml"));
        assertEquals("jumpcloud-devo-collector-camel-4.18.0", doc.getDocumentElement().getAttribute("name"));
        Element feature = feature(doc, "jumpcloud-devo-collector-camel");
        assertEquals("4.18.0", feature.getAttribute("version"));
        List<String> camelBundles = children(feature, "bundle");
        for (String module : List.of("camel-api", "camel-core-engine", "camel-yaml-dsl", "camel-kamelet", "camel-netty",
                "camel-jackson", "camel-stream", "camel-health")) {
            String wrapped = "wrap:mvn:org.apache.camel/" + module + "/4.18.0$Bundle-SymbolicName=org.apache.camel." + module
                    + "&Bundle-Version=4.18.0&Export-Package=*;version=4.18.0&";
            assertTrue(camelBundles.stream().anyMatch(b -> b.startsWith(wrapped)), module + " wrapped: " + camelBundles);
        }
        assertTrue(camelBundles.stream().noneMatch(b -> b.contains("/camel-main/") || b.contains("io.vertx") || b.contains("log4j")),
                "camel-main's own parts stay out: " + camelBundles);

        Set<String> provided = new HashSet<>();
        for (String b : camelBundles) {
            provided.addAll(checkArtifact(b, true));
        }
        for (String b : children(feature(validFeatures(file("features.xml")), "jumpcloud-devo-collector"), "bundle")) {
            if (!b.startsWith("mvn:io.collector/")) {
                provided.addAll(checkArtifact(b, false));
            }
        }
        List<String> unresolved = new ArrayList<>();
        clauses(manifest(file("bundle.jar")).getValue("Import-Package")).forEach((pkg, attrs) -> {
            boolean ok = attrs.contains("resolution:=optional") || pkg.startsWith("java.") || pkg.startsWith("javax.")
                    || pkg.startsWith("org.osgi.") || pkg.equals("org.slf4j") || pkg.startsWith("io.collector.jumpcloud")
                    || provided.contains(pkg);
            if (!ok) {
                unresolved.add(pkg);
            }
        });
        assertEquals(List.of(), unresolved, "imported packages no listed bundle provides");
    }

    static Document validFeatures(Path features) throws Exception {
        String xsd = "/org/apache/karaf/features/karaf-features-1.6.0.xsd";
        try (InputStream schema = BundleManifestIT.class.getResourceAsStream(xsd)) {
            assertNotNull(schema, xsd + " from org.apache.karaf.features.core");
            SchemaFactory.newInstance(XMLConstants.W3C_XML_SCHEMA_NS_URI).newSchema(new StreamSource(schema))
                    .newValidator().validate(new StreamSource(features.toFile()));
        }
        assertFalse(Files.readString(features).contains("${"), "every Maven property was filled in: " + features);
        DocumentBuilderFactory dbf = DocumentBuilderFactory.newInstance();
        dbf.setNamespaceAware(true);
        return dbf.newDocumentBuilder().parse(features.toFile());
    }

    static Element feature(Document doc, String name) {
        NodeList fs = doc.getElementsByTagNameNS("*", "feature");
        for (int i = 0; i < fs.getLength(); i++) {
            Element e = (Element) fs.item(i);
            if (name.equals(e.getAttribute("name"))) {
                return e;
            }
        }
        throw new AssertionError("no feature " + name);
    }

    static List<Element> childElements(Element parent, String localName) {
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < parent.getChildNodes().getLength(); i++) {
            if (parent.getChildNodes().item(i) instanceof Element e && e.getLocalName().equals(localName)) {
                out.add(e);
            }
        }
        return out;
    }

    static List<String> children(Element parent, String localName) {
        return childElements(parent, localName).stream().map(e -> e.getTextContent().trim()).toList();
    }

    /**
     * A listed bundle is an artifact the build resolved; a plain jar is wrapped, a bundle is not (but
     * for the generated repository's fixes, which re-wrap a bundle with overwrite=...). Returns the
     * packages it provides: a bundle's exports, or every package of a wrapped jar.
     */
    static Set<String> checkArtifact(String location, boolean versionedWrap) throws Exception {
        boolean wrapped = location.startsWith("wrap:");
        String instructions = location.contains("$") ? location.substring(location.indexOf('$') + 1) : "";
        String[] gav = location.replaceFirst("^(wrap:)?mvn:", "").replaceFirst("\\$.*", "").split("/");
        Path m2 = Path.of(System.getProperty("maven.repo.local", System.getProperty("user.home") + "/.m2/repository"));
        Path jar = m2.resolve(gav[0].replace('.', '/')).resolve(gav[1]).resolve(gav[2]).resolve(gav[1] + "-" + gav[2] + ".jar");
        assertTrue(Files.isRegularFile(jar), location + " is a real artifact (" + jar + ")");
        Attributes a = manifest(jar);
        boolean bundle = a.getValue("Bundle-SymbolicName") != null;
        if (bundle && wrapped) {
            assertTrue(instructions.contains("overwrite="), location + " is already a bundle: drop wrap: or fix it with overwrite=");
        }
        if (!bundle) {
            assertTrue(wrapped, location + " is no bundle: use wrap:");
            if (versionedWrap) {
                String v = gav[2].replaceAll("^(\\d+)\\.(\\d+)\\.(\\d+).*", "$1.$2.$3");
                assertTrue(instructions.contains("Export-Package=*;version=" + v), location + " exports with its version");
            }
        }
        return bundle && !instructions.contains("Export-Package=*") ? clauses(String.valueOf(a.getValue("Export-Package"))).keySet()
                : packagesIn(jar);
    }

    /** The packages a plain jar holds (what wrap: exports). */
    static Set<String> packagesIn(Path jar) throws Exception {
        Set<String> out = new HashSet<>();
        try (JarFile j = new JarFile(jar.toFile())) {
            j.stream().map(e -> e.getName()).filter(n -> n.endsWith(".class") && n.contains("/") && !n.startsWith("META-INF/"))
                    .forEach(n -> out.add(n.substring(0, n.lastIndexOf('/')).replace('/', '.')));
        }
        return out;
    }
}
