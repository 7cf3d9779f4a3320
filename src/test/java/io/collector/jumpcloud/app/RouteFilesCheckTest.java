package io.collector.jumpcloud.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * The hand-edited route files: every file of routes/ loads into a Camel context; each kind of mistake
 * is reported as one line with its file and line before the collector asks anything of JumpCloud,
 * and what Camel 4.18 itself does with it is pinned down next to it.
 */
class RouteFilesCheckTest {
    static final String ORIGINAL = "routes/jumpcloud-to-devo.yaml";

    @TempDir
    Path dir;

    static List<Path> yamlFilesOf(Path folder) throws Exception {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
    }

    @Test
    void everyRoutesFilePassesTheCheck() throws Exception {
        List<Path> checked = RouteFilesCheck.check("file:routes/*.yaml", ServiceRoutes.TEMPLATE);
        assertEquals(yamlFilesOf(Path.of("routes")), checked, "every YAML file of routes/ is checked");
        assertFalse(checked.isEmpty());
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

    /** The part of the shipped file from the relay route's comment on: removed, the routes hand pages to no one. */
    private static String relayRoute() throws Exception {
        String text = Files.readString(Path.of(ORIGINAL), StandardCharsets.UTF_8);
        return text.substring(text.indexOf("# The Devo relay:"));
    }

    @Test
    void aRouteFileWithoutTheRelayRouteIsRefusedNamingIt() throws Exception {
        writeEdited("norelay.yaml", relayRoute(), "", "routeTemplate");
        RouteFileException e = refused();
        assertTrue(e.getMessage().startsWith(dir.resolve("routes/norelay.yaml") + ": its routes hand their pages to direct:devo but no route"),
                e.getMessage());
        assertTrue(e.getMessage().contains("devo-relay"), e.getMessage());
    }

    @Test
    void aRouteFileOfAnEarlierVersionWritingToTheRelayItselfStillPasses() throws Exception {
        writeEdited("earlier.yaml", relayRoute(), "", "routeTemplate");
        Path f = dir.resolve("routes/earlier.yaml");
        Files.writeString(f, Files.readString(f).replace("to: \"direct:devo\"", "to: \"{{devo.endpoint}}\""));
        assertEquals(List.of(f), RouteFilesCheck.check(pattern(), ServiceRoutes.TEMPLATE));
    }

    @Test
    void aYamlSyntaxErrorNamesFileAndLine() throws Exception {
        int[] at = writeEdited("broken.yaml", "streaming: true", "streaming: true\n   oops: [", "oops");
        RouteFileException e = refused();
        assertTrue(e.getMessage().startsWith(dir.resolve("routes/broken.yaml") + ":"), e.getMessage());
        assertTrue(e.getMessage().contains("Camel cannot load it"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line");
        // the same failure thrown by camel-main becomes the same one-line message
        Exception camel = camelLoading("broken.yaml");
        assertNotNull(camel);
        RouteFileException translated = RouteFileException.problemIn(new RuntimeException("Error pre-parsing resource", camel));
        assertNotNull(translated, "translated: " + camel);
        assertTrue(translated.getMessage().contains("broken.yaml:"), translated.getMessage());
        assertTrue(at[0] > 0);
    }

    @Test
    void anUnknownStepNamesFileAndLine() throws Exception {
        int[] at = writeEdited("typo.yaml", "- filter:", "- fliter:", "fliter");
        RouteFileException e = refused();
        assertTrue(e.getMessage().startsWith(dir.resolve("routes/typo.yaml") + ":" + at[0] + ":"), e.getMessage());
        assertTrue(e.getMessage().contains("fliter"), e.getMessage());
        assertNotNull(camelLoading("typo.yaml"), "Camel refuses it as well");
    }

    @Test
    void anUnknownOptionNamesFileAndLine() throws Exception {
        int[] at = writeEdited("option.yaml", "simple: \"${exchangeProperty.devoLines} > 0\"",
                "simpel: \"${exchangeProperty.devoLines} > 0\"", "simpel");
        RouteFileException e = refused();
        assertTrue(e.getMessage().startsWith(dir.resolve("routes/option.yaml") + ":"), e.getMessage());
        assertTrue(e.getMessage().contains("simpel"), e.getMessage());
        assertTrue(at[0] > 0);
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
    void noRouteFileAtAllIsRefusedWithTheSettingThatRunsTheJarsRoutes() throws Exception {
        Files.createDirectories(dir.resolve("routes"));
        Files.writeString(dir.resolve("routes/README.txt"), "the YAML went elsewhere");
        RouteFileException e = refused();
        assertTrue(e.getMessage().startsWith(RouteFilesCheck.PATTERN_SETTING + ": no route file matches '" + pattern() + "'"), e.getMessage());
        assertTrue(e.getMessage().endsWith("camel.main.routes-include-pattern=classpath:routes/*.yaml"), e.getMessage());
    }

    /** The routes folder itself is gone (deleted, or the collector started from another folder). */
    @Test
    void aMissingRoutesFolderIsRefusedAsNoRouteFile() {
        RouteFileException e = refused(); // nothing was created under dir: routes/ does not exist
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
    void classpathPatternsAreLeftToCamel() throws Exception {
        assertEquals(List.of(), RouteFilesCheck.check("classpath:routes/*.yaml", ServiceRoutes.TEMPLATE));
        // the template may come from the jar while an own route lives on disk
        Files.createDirectories(dir.resolve("routes"));
        Files.writeString(dir.resolve("routes/mine.yaml"), "- route:\n    from:\n      uri: timer:x\n      steps:\n        - log: hello\n");
        assertEquals(1, RouteFilesCheck.check(pattern() + ",classpath:routes/*.yaml", ServiceRoutes.TEMPLATE).size());
    }
}
