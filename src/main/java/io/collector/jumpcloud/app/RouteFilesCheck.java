package io.collector.jumpcloud.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.collector.jumpcloud.config.SettingsException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.camel.util.AntPathMatcher;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;
import io.collector.jumpcloud.source.PullCoordinator;

/**
 * Checks the hand-edited route files of {@code camel.main.routes-include-pattern} before camel-main
 * loads them, so a mistake stops the start with one line naming the file and line (exit code 2).
 * camel-main 4.18 on its own exits 1 with a stack trace, only after the JumpCloud and relay checks,
 * and silently skips a YAML file that is not a list of routes. Checked: at least one file matches,
 * each YAML file parses (with Camel's own parser, snakeyaml-engine), conforms to the Camel YAML DSL
 * schema shipped in camel-yaml-dsl ({@value #SCHEMA}), and one file defines the route template.
 */
public final class RouteFilesCheck {
    /** The JSON schema of the YAML DSL inside camel-yaml-dsl-4.18.0.jar. */
    public static final String SCHEMA = "/schema/camelYamlDsl.json";
    public static final String PATTERN_SETTING = "camel.main.routes-include-pattern";

    /** A route file that Camel would refuse (or silently skip); the message names file and line. */
    public static final class RouteFileException extends SettingsException {
        RouteFileException(String where, String message) {
            super(where, message);
        }
    }

    private RouteFilesCheck() {
    }

    /** Checks the files of the pattern; returns them, or throws {@link RouteFileException}. */
    public static List<Path> check(String includePattern, String template) {
        try {
            List<RouteFile> files = parse(includePattern, template);
            files.forEach(RouteFilesCheck::validate);
            return files.stream().map(RouteFile::path).toList();
        } finally {
            schema = null;
        }
    }

    /**
     * camel-main's own failure to read a route file, as the same one-line error, or null. It parses
     * every YAML file before the collector's configuration runs, so a syntax error surfaces there.
     */
    public static RouteFileException problemIn(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.nio.file.NoSuchFileException missing && java.util.Arrays.stream(failure.getStackTrace())
                    .anyMatch(f -> f.getClassName().endsWith("RoutesCollector"))) {
                return new RouteFileException(PATTERN_SETTING, "the folder " + missing.getFile() + " does not exist (from "
                        + Path.of("").toAbsolutePath() + "): the collector would run no route. Put routes/jumpcloud-to-devo.yaml back "
                        + "(the jar holds the original as classpath:routes/jumpcloud-to-devo.yaml) or correct the pattern");
            }
            if (t instanceof MarkedYamlEngineException m) {
                Mark at = m.getProblemMark().or(m::getContextMark).orElse(null);
                String name = at == null ? "a route file" : at.getName().replaceFirst("^file:", "");
                String problem = m.getProblem() == null ? String.valueOf(m.getContext()) : m.getProblem();
                String context = m.getContext() == null || m.getProblem() == null ? "" : " (" + m.getContext()
                        + m.getContextMark().map(c -> " that starts at line " + (c.getLine() + 1)).orElse("") + ")";
                return new RouteFileException(where(name, at), "Camel cannot load it: " + problem.strip() + context);
            }
        }
        return null;
    }

    // --- files --------------------------------------------------------------------------------

    /** One file of the pattern: its name as the user wrote it, and its YAML documents with their lines. */
    record RouteFile(String name, Path path, List<Document> documents) {
    }

    record Document(JsonNode tree, Map<String, Mark> marks) {
    }

    private static List<RouteFile> parse(String includePattern, String template) {
        List<RouteFile> files = new ArrayList<>();
        String pattern = includePattern == null ? "" : includePattern.trim();
        boolean onDisk = false;
        boolean elsewhere = false;
        for (String p : pattern.split(",")) {
            p = p.trim();
            if (!p.startsWith("file:")) {
                elsewhere |= !p.isEmpty(); // classpath (Camel's default without a prefix): Camel reads those itself
                continue;
            }
            onDisk = true;
            for (Path file : match(p.substring(5))) {
                files.add(read(file));
            }
        }
        if (!onDisk) {
            return files;
        }
        if (files.isEmpty() && !elsewhere) {
            throw new RouteFileException(PATTERN_SETTING, "no route file matches '" + pattern + "' (from "
                    + Path.of("").toAbsolutePath() + "): the collector would run no route. Put routes/jumpcloud-to-devo.yaml back "
                    + "(the jar holds the original as classpath:routes/jumpcloud-to-devo.yaml) or correct the pattern");
        }
        if (template != null && !elsewhere && files.stream().noneMatch(f -> definesTemplate(f, template))) {
            throw new RouteFileException(PATTERN_SETTING, "none of " + files.stream().map(RouteFile::name).toList()
                    + " defines the routeTemplate with id '" + template + "' that every service's route is made from");
        }
        if (template != null && !elsewhere && files.stream().noneMatch(f -> consumes(f, PullCoordinator.PAGE_ENDPOINT))) {
            throw new RouteFileException(PATTERN_SETTING, "none of " + files.stream().map(RouteFile::name).toList()
                    + " defines the route from '" + PullCoordinator.PAGE_ENDPOINT + "' that asks JumpCloud for each page "
                    + "(route id jumpcloud-page in the jar's classpath:routes/jumpcloud-to-devo.yaml)");
        }
        return files;
    }

    /** The files an Ant-style pattern (Camel's syntax: *, ** and ?) names, sorted. */
    static List<Path> match(String pattern) {
        String p = pattern.replace('\\', '/');
        int wildcard = indexOfWildcard(p);
        String rootText = wildcard < 0 ? p : p.substring(0, p.lastIndexOf('/', wildcard) + 1);
        Path root = Path.of(rootText.isEmpty() ? "." : rootText);
        if (wildcard < 0) {
            return Files.isRegularFile(root) ? List.of(Path.of(p)) : List.of();
        }
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        String rest = p.substring(rootText.length());
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile)
                    .filter(f -> AntPathMatcher.INSTANCE.match(rest, root.relativize(f).toString().replace('\\', '/')))
                    .map(f -> rootText.isEmpty() ? root.relativize(f) : f)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new RouteFileException(PATTERN_SETTING, "cannot list " + root.toAbsolutePath() + " (" + e + ")");
        }
    }

    private static int indexOfWildcard(String p) {
        int a = p.indexOf('*');
        int b = p.indexOf('?');
        return a < 0 ? b : b < 0 ? a : Math.min(a, b);
    }

    static boolean isYaml(Path file) {
        String n = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        return n.endsWith(".yaml") || n.endsWith(".yml");
    }

    private static RouteFile read(Path file) {
        String name = file.toString();
        if (!isYaml(file)) {
            return new RouteFile(name, file, List.of()); // XML or Java routes: Camel's own loader judges them
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RouteFileException(name, "cannot be read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        return new RouteFile(name, file, documents(name, text));
    }

    /** Parses YAML as the YAML DSL does (snakeyaml-engine, YAML 1.2), keeping where each value starts. */
    static List<Document> documents(String name, String text) {
        LoadSettings settings = LoadSettings.builder().setLabel(name).build();
        Composer composer = new Composer(settings, new ParserImpl(settings, new StreamReader(settings, text)));
        List<Document> docs = new ArrayList<>();
        try {
            while (composer.hasNext()) {
                Map<String, Mark> marks = new HashMap<>();
                Node root = composer.next();
                docs.add(new Document(tree(root, "", marks), marks));
            }
        } catch (MarkedYamlEngineException e) {
            Mark at = e.getProblemMark().or(e::getContextMark).orElse(null);
            String context = e.getContext() == null ? "" : " (" + e.getContext()
                    + e.getContextMark().map(m -> " that starts at line " + (m.getLine() + 1)).orElse("") + ")";
            throw new RouteFileException(where(name, at), "not valid YAML: " + e.getProblem() + context);
        } catch (YamlEngineException e) {
            throw new RouteFileException(name, "not valid YAML: " + e.getMessage().replaceAll("\\s+", " "));
        }
        if (docs.isEmpty()) {
            throw new RouteFileException(name, "holds no route (an empty YAML file): Camel refuses to load it; delete it or add routes");
        }
        return docs;
    }

    /** The YAML tree as JSON for the schema, recording the line of each key and list item by JSON pointer. */
    private static JsonNode tree(Node node, String pointer, Map<String, Mark> marks) {
        JsonNodeFactory f = JsonNodeFactory.instance;
        node.getStartMark().ifPresent(m -> marks.putIfAbsent(pointer, m));
        if (node instanceof MappingNode m) {
            ObjectNode o = f.objectNode();
            for (NodeTuple t : m.getValue()) {
                String key = t.getKeyNode() instanceof ScalarNode k ? k.getValue() : String.valueOf(t.getKeyNode());
                String child = pointer + "/" + key.replace("~", "~0").replace("/", "~1");
                t.getKeyNode().getStartMark().ifPresent(mk -> marks.put(child, mk)); // the key's line, where a user looks
                o.set(key, tree(t.getValueNode(), child, marks));
            }
            return o;
        }
        if (node instanceof SequenceNode s) {
            ArrayNode a = f.arrayNode();
            int i = 0;
            for (Node item : s.getValue()) {
                a.add(tree(item, pointer + "/" + i++, marks));
            }
            return a;
        }
        ScalarNode s = (ScalarNode) node;
        Tag tag = s.getTag();
        String v = s.getValue();
        try {
            if (Tag.BOOL.equals(tag)) {
                return f.booleanNode(Boolean.parseBoolean(v.toLowerCase(java.util.Locale.ROOT)));
            }
            if (Tag.INT.equals(tag)) {
                return f.numberNode(new java.math.BigInteger(v.replace("_", "")));
            }
            if (Tag.FLOAT.equals(tag)) {
                return f.numberNode(new java.math.BigDecimal(v));
            }
        } catch (NumberFormatException notDecimal) {
            return f.textNode(v); // 0x1F, .inf: the schema sees text, as Camel's loader reads it
        }
        return Tag.NULL.equals(tag) ? f.nullNode() : f.textNode(v);
    }

    private static boolean consumes(RouteFile f, String uri) {
        for (Document d : f.documents()) {
            for (JsonNode item : d.tree()) {
                JsonNode from = item.path("route").path("from");
                String u = from.isTextual() ? from.asText() : from.path("uri").asText("");
                if (u.equals(uri) || u.startsWith(uri + "?")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean definesTemplate(RouteFile f, String template) {
        for (Document d : f.documents()) {
            for (JsonNode item : d.tree()) {
                if (template.equals(item.path("routeTemplate").path("id").asText(null))) {
                    return true;
                }
            }
        }
        return false;
    }

    // --- schema -------------------------------------------------------------------------------

    /** The schema while files are checked; dropped after (its validators are some MB the collector no longer needs). */
    private static volatile JsonSchema schema;

    private static JsonSchema schema() {
        JsonSchema s = schema;
        if (s == null) {
            schema = s = Schema.load();
        }
        return s;
    }

    private static final class Schema {
        private static JsonSchema load() {
            try (InputStream in = RouteFilesCheck.class.getResourceAsStream(SCHEMA)) {
                if (in == null) {
                    throw new IllegalStateException(SCHEMA + " is not on the classpath (camel-yaml-dsl is missing)");
                }
                JsonNode json = new ObjectMapper().readTree(in);
                // Camel's schema marks options "deprecated", unknown to draft 4: an annotation, not a warning per start
                JsonMetaSchema v4 = JsonMetaSchema.builder(JsonMetaSchema.getV4()).keyword(new NonValidationKeyword("deprecated")).build();
                return JsonSchemaFactory.builder(JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4)).metaSchema(v4).build()
                        // not preloaded: building every validator of the 800 kB schema up front takes
                        // 1.5 s and more than 256 MB of heap; on demand, 0.25 s and a few MB
                        .getSchema(json, SchemaValidatorsConfig.builder().pathType(PathType.JSON_POINTER).preloadJsonSchema(false).build());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Validates one file against the YAML DSL schema; throws for the most telling problem. */
    static void validate(RouteFile file) {
        for (Document d : file.documents()) {
            List<ValidationMessage> errors = new ArrayList<>(schema().validate(d.tree()));
            if (errors.isEmpty()) {
                stopInSplit(file, d);
                continue;
            }
            // oneOf/anyOf report every branch that failed: the deepest place (an unknown key counts as
            // its own place), then an unknown key, a missing key, a wrong type, is what the user typed wrong
            errors.sort(Comparator.comparingInt((ValidationMessage e) -> -pointerOf(e).split("/").length)
                    .thenComparingInt(RouteFilesCheck::rank)
                    .thenComparingInt(e -> line(d, pointerOf(e))));
            ValidationMessage e = errors.get(0);
            throw new RouteFileException(where(file.name(), d.marks().get(pointerOf(e))), describe(e, d.tree()));
        }
    }

    /**
     * Valid YAML DSL that wedges the collector: the page split stops on exceptions, so a {@code stop}
     * step in it ends the whole pull, its doFinally included, and the route never pulls again.
     */
    private static void stopInSplit(RouteFile file, Document d) {
        d.marks().entrySet().stream()
                .filter(e -> e.getKey().matches(".*/split/(.*/)?steps/[0-9]+/stop"))
                .min(Comparator.comparingInt(e -> e.getValue().getLine()))
                .ifPresent(e -> {
                    throw new RouteFileException(where(file.name(), e.getValue()), "'stop' inside the split would end the whole pull "
                            + "and wedge the route; to keep an event out of Devo set the exchange property devoDrop to true");
                });
    }

    private static int rank(ValidationMessage e) {
        return switch (e.getType()) {
            case "additionalProperties" -> 0;
            case "required" -> 1;
            case "type", "enum" -> 2;
            case "oneOf", "anyOf", "not" -> 4;
            default -> 3;
        };
    }

    /** The pointer of the offending key: for an unknown key, the key itself rather than its parent. */
    private static String pointerOf(ValidationMessage e) {
        String at = e.getInstanceLocation().toString();
        if ("additionalProperties".equals(e.getType()) && e.getProperty() != null) {
            return at + "/" + e.getProperty().replace("~", "~0").replace("/", "~1");
        }
        return at;
    }

    private static int line(Document d, String pointer) {
        Mark m = d.marks().get(pointer);
        return m == null ? Integer.MAX_VALUE : m.getLine();
    }

    private static String describe(ValidationMessage e, JsonNode tree) {
        String at = e.getInstanceLocation().toString();
        String[] parts = at.split("/");
        String parent = parts.length > 0 ? parts[parts.length - 1] : "";
        if ("additionalProperties".equals(e.getType())) {
            if (parent.matches("[0-9]+")) {
                String list = parts.length > 1 ? parts[parts.length - 2] : "the file";
                return "'" + e.getProperty() + "' is not a Camel YAML DSL element that can stand in '" + list
                        + "' (a misspelt step or route kind?)";
            }
            return "'" + e.getProperty() + "' is not an option of '" + parent + "' (misspelt?)";
        }
        if ("required".equals(e.getType())) {
            return "'" + parent + "' needs '" + e.getProperty() + "'";
        }
        if (at.isEmpty() && "type".equals(e.getType())) {
            return "is not a list of routes (the top level must be a YAML list: '- route:', '- routeTemplate:', ...); "
                    + "Camel would skip it silently";
        }
        String message = e.getMessage();
        int colon = message.indexOf(": ");
        String what = colon >= 0 && message.startsWith(at) ? message.substring(colon + 2) : message;
        return "'" + parent + "': " + what + " (value " + abbreviate(tree.at(at).toString()) + ")";
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }

    private static String where(String name, Mark mark) {
        return mark == null ? name : name + ":" + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1);
    }
}
