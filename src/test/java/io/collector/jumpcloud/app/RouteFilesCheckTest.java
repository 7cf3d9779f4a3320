package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.app.RouteFilesCheck.RouteFileException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hand-edited route files: every file of routes/ conforms to the Camel YAML DSL schema shipped
 * in camel-yaml-dsl and loads into a Camel context; each kind of mistake is reported with its file
 * and line, and what Camel 4.18 itself does with it is pinned down next to it.
 */
class RouteFilesCheckTest {
    static final String ORIGINAL = "routes/jumpcloud-to-devo.yaml";

    @TempDir
    Path dir;

    static List<Path> yamlFilesOf(Path folder) throws Exception {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(RouteFilesCheck::isYaml).sorted().toList();
        }
    }

    @Test
    void everyRoutesFileConformsToTheCamelYamlDslSchema() throws Exception {
        List<Path> checked = RouteFilesCheck.check("file:routes/*.yaml", ServiceRoutes.TEMPLATE);
        assertEquals(yamlFilesOf(Path.of("routes")), checked, "every YAML file of routes/ is checked");
        assertFalse(checked.isEmpty());
    }

    @Test
    void theSchemaIsTheOneInsideCamelYamlDsl() {
        var url = RouteFilesCheck.class.getResource(RouteFilesCheck.SCHEMA);
        assertNotNull(url);
        assertTrue(url.toString().contains("camel-yaml-dsl-4.18.0.jar!"), url.toString());
    }

    @Test
    void everyRoutesFileLoadsIntoACamelContext() throws Exception {
        for (Path file : yamlFilesOf(Path.of("routes"))) {
            CamelContext context = new DefaultCamelContext();
            PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.resolveResource(context, "file:" + file));
            ModelCamelContext model = (ModelCamelContext) context;
            assertFalse(model.getRouteTemplateDefinitions().isEmpty() && model.getRouteDefinitions().isEmpty(),
                    file + " defines routes");
        }
        CamelContext context = new DefaultCamelContext();
        PluginHelper.getRoutesLoader(context).loadRoutes(ResourceHelper.resolveResource(context, "file:" + ORIGINAL));
        assertNotNull(((ModelCamelContext) context).getRouteTemplateDefinition(ServiceRoutes.TEMPLATE));
    }

    @Test
    void theJarCarriesTheSameRouteFileForEmbedders() throws Exception {
        try (InputStream in = RouteFilesCheckTest.class.getResourceAsStream("/" + ORIGINAL)) {
            assertNotNull(in, ORIGINAL + " is on the class path (target/classes, hence the jar)");
            assertArrayEquals(Files.readAllBytes(Path.of(ORIGINAL)), in.readAllBytes());
        }
    }

    // --- mistakes ------------------------------------------------------------------------------

    /** A copy of the real route file with one edit; returns the 1-based line and column of {@code marker}. */
    private int[] writeEdited(String name, String from, String to, String marker) throws Exception {
        String text = Files.readString(Path.of(ORIGINAL), StandardCharsets.UTF_8);
        assertTrue(text.contains(from), "the route file still has: " + from);
        String edited = text.replaceFirst(java.util.regex.Pattern.quote(from), java.util.regex.Matcher.quoteReplacement(to));
        Files.createDirectories(dir.resolve("routes"));
        Files.writeString(dir.resolve("routes").resolve(name), edited, StandardCharsets.UTF_8);
        int at = edited.indexOf(marker);
        int line = (int) edited.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
        int column = at - edited.lastIndexOf('\n', at - 1);
        return new int[] {line, column};
    }

    private String pattern() {
        return "file:" + dir.resolve("routes") + "/*.yaml";
    }

    private RouteFileException refused() {
        return assertThrows(RouteFileException.class, () -> RouteFilesCheck.check(pattern(), ServiceRoutes.TEMPLATE));
    }

    /** What Camel 4.18's own YAML loader says about the file. */
    private Exception camelLoading(String name) {
        CamelContext context = new DefaultCamelContext();
        try {
            PluginHelper.getRoutesLoader(context).loadRoutes(
                    ResourceHelper.resolveResource(context, "file:" + dir.resolve("routes").resolve(name)));
            return null;
        } catch (Exception e) {
            return e;
        }
    }

    @Test
    void aYamlSyntaxErrorNamesFileAndLine() throws Exception {
        int[] at = writeEdited("broken.yaml", "breakOnShutdown: true", "breakOnShutdown: true\n   oops: [", "oops");
        RouteFileException e = refused();
        String where = dir.resolve("routes/broken.yaml") + ":" + at[0] + ":" + at[1] + ":";
        assertTrue(e.getMessage().startsWith(where + " not valid YAML: "), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
        // Camel refuses it too, but as a stack trace, and camel-main before the collector's own checks
        Exception camel = camelLoading("broken.yaml");
        assertNotNull(camel);
        // the same failure thrown by camel-main becomes the same one-line message
        RouteFileException translated = RouteFilesCheck.problemIn(new RuntimeException("Error pre-parsing resource", camel));
        assertNotNull(translated, "translated: " + camel);
        assertTrue(translated.getMessage().contains("broken.yaml:" + at[0] + ":"), translated.getMessage());
    }

    @Test
    void anUnknownStepNamesFileAndLine() throws Exception {
        int[] at = writeEdited("typo.yaml", "- filter:   # a page of duplicates", "- fliter:   # a page of duplicates", "fliter");
        RouteFileException e = refused();
        assertEquals(dir.resolve("routes/typo.yaml") + ":" + at[0] + ":" + at[1] + ": 'fliter' is not a Camel YAML DSL element that "
                + "can stand in 'steps' (a misspelt step or route kind?)", e.getMessage());
        Exception camel = camelLoading("typo.yaml");
        assertNotNull(camel, "Camel refuses it as well");
        assertTrue(String.valueOf(camel.getMessage()).contains("Unknown node id: fliter")
                || String.valueOf(camel.getCause()).contains("Unknown node id: fliter"), String.valueOf(camel));
    }

    @Test
    void anUnknownOptionNamesFileAndLine() throws Exception {
        int[] at = writeEdited("option.yaml", "simple: \"${exchangeProperty.devoLines} > 0\"",
                "simpel: \"${exchangeProperty.devoLines} > 0\"", "simpel");
        RouteFileException e = refused();
        assertEquals(dir.resolve("routes/option.yaml") + ":" + at[0] + ":" + at[1] + ": 'simpel' is not an option of 'filter' (misspelt?)",
                e.getMessage());
    }

    @Test
    void aWrongValueNamesFileAndLine() throws Exception {
        int[] at = writeEdited("value.yaml", "streaming: true", "streaming: maybe", "streaming");
        RouteFileException e = refused();
        assertTrue(e.getMessage().startsWith(dir.resolve("routes/value.yaml") + ":" + at[0] + ":" + at[1] + ": 'streaming': "), e.getMessage());
        assertTrue(e.getMessage().contains("boolean"), e.getMessage());
        assertEquals(null, camelLoading("value.yaml"), "Camel's loader accepts it: the route only fails when created");
    }

    @Test
    void aValueOfTheWrongTypeNamesTheValueNotAnotherBranch() throws Exception {
        // constant must be text: YAML's bare true is a boolean (the schema's oneOf also lists csimple, ...)
        int[] at = writeEdited("bool.yaml", "constant: \"{{devo.table.sso}}\"", "constant: true", "constant: true");
        RouteFileException e = refused();
        assertTrue(e.getMessage().startsWith(dir.resolve("routes/bool.yaml") + ":" + at[0] + ":" + at[1] + ": 'constant': "), e.getMessage());
    }

    @Test
    void aYamlFileThatIsNotAListOfRoutesIsRefusedWhereCamelSkipsIt() throws Exception {
        writeEdited(ORIGINAL.substring("routes/".length()), "#", "#", "#");
        Files.writeString(dir.resolve("routes/notes.yaml"), "owner: security team\nreviewed: 2026-11-01\n");
        RouteFileException e = refused();
        assertTrue(e.getMessage().startsWith(dir.resolve("routes/notes.yaml") + ":1:1: is not a list of routes"), e.getMessage());
        assertEquals(null, camelLoading("notes.yaml"), "Camel 4.18 loads it without a word");
    }

    @Test
    void anEmptyYamlFileIsRefused() throws Exception {
        writeEdited(ORIGINAL.substring("routes/".length()), "#", "#", "#");
        Files.writeString(dir.resolve("routes/later.yaml"), "# routes to come\n");
        RouteFileException e = refused();
        assertTrue(e.getMessage().startsWith(dir.resolve("routes/later.yaml") + ": holds no route"), e.getMessage());
        assertNotNull(camelLoading("later.yaml"), "Camel refuses an empty file");
    }

    @Test
    void noRouteFileAtAllIsRefused() throws Exception {
        Files.createDirectories(dir.resolve("routes"));
        Files.writeString(dir.resolve("routes/README.txt"), "the YAML went elsewhere");
        RouteFileException e = refused();
        assertTrue(e.getMessage().startsWith(RouteFilesCheck.PATTERN_SETTING + ": no route file matches '" + pattern() + "'"), e.getMessage());
    }

    @Test
    void routeFilesWithoutTheTemplateAreRefused() throws Exception {
        Files.createDirectories(dir.resolve("routes"));
        Files.writeString(dir.resolve("routes/mine.yaml"), "- route:\n    from:\n      uri: timer:x\n      steps:\n        - log: hello\n");
        RouteFileException e = refused();
        assertTrue(e.getMessage().contains("defines the routeTemplate with id 'jumpcloud-service'"), e.getMessage());
        // with the template beside it, a route of one's own is fine
        writeEdited(ORIGINAL.substring("routes/".length()), "#", "#", "#");
        assertEquals(2, RouteFilesCheck.check(pattern(), ServiceRoutes.TEMPLATE).size());
    }

    @Test
    void routeFilesWithoutThePageRequestRouteAreRefused() throws Exception {
        Files.createDirectories(dir.resolve("routes"));
        String original = Files.readString(Path.of(ORIGINAL));
        int cut = original.indexOf("- route:\n    id: jumpcloud-page");
        assertTrue(cut > 0, "the original has the page request route");
        Files.writeString(dir.resolve("routes/jumpcloud-to-devo.yaml"), original.substring(0, cut));
        RouteFileException e = refused();
        assertTrue(e.getMessage().contains("defines the route from 'direct:jumpcloud-page'"), e.getMessage());
    }

    @Test
    void aStopInsideTheSplitIsRefused() throws Exception {
        // valid YAML DSL, but the split stops on exceptions: a stop there ends the pull, not the event
        int[] at = writeEdited("stop.yaml", "- idempotentConsumer:", "- stop: {}\n                                - idempotentConsumer:", "stop: {}");
        RouteFileException e = refused();
        assertTrue(e.getMessage().startsWith(dir.resolve("routes/stop.yaml") + ":" + at[0] + ":" + at[1] + ": 'stop' inside the split"),
                e.getMessage());
        assertEquals(null, camelLoading("stop.yaml"), "Camel accepts it");
    }

    @Test
    void classpathPatternsAreLeftToCamel() throws Exception {
        assertEquals(List.of(), RouteFilesCheck.check("classpath:routes/*.yaml", ServiceRoutes.TEMPLATE));
        // the template may come from the jar while an own route lives on disk
        Files.createDirectories(dir.resolve("routes"));
        Files.writeString(dir.resolve("routes/mine.yaml"), "- route:\n    from:\n      uri: timer:x\n      steps:\n        - log: hello\n");
        assertEquals(1, RouteFilesCheck.check(pattern() + ",classpath:routes/*.yaml", ServiceRoutes.TEMPLATE).size());
    }
}
