package io.collector.jumpcloud.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.PluginHelper;
import org.apache.camel.support.ResourceHelper;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Checks the hand-edited route files of {@code camel.main.routes-include-pattern} before anything
 * asks JumpCloud or the relay, for what Camel itself does not say: a pattern that matches no file
 * (camel-main logs that at DEBUG and runs no route), a YAML file that is not a list of routes (Camel
 * skips it without a word), route files without the template every service's route is made of, and
 * routes handing their pages to {@code direct:devo} with no route reading it (every page would fail).
 * Each file is also loaded with Camel's own YAML DSL loader, so its own errors come now, as one line
 * with the file and line (exit code 2), rather than as a stack trace after the start's other checks.
 */
public final class RouteFilesCheck {
    public static final String PATTERN_SETTING = "camel.main.routes-include-pattern";
    /** The value that runs the routes inside the jar, for a user whose routes/ folder went missing. */
    static final String IN_THE_JAR = "camel.main.routes-include-pattern=classpath:routes/*.yaml";

    private RouteFilesCheck() {
    }

    /** Checks the files the pattern names on disk; returns them, or throws {@link RouteFileException}. */
    public static List<Path> check(String includePattern, String template) {
        String pattern = includePattern == null ? "" : includePattern.trim();
        List<Path> files = new ArrayList<>();
        boolean onDisk = false;
        boolean elsewhere = false;
        for (String p : pattern.split(",")) {
            p = p.trim();
            if (p.startsWith("file:")) {
                onDisk = true;
                files.addAll(match(p.substring(5)));
            } else {
                elsewhere |= !p.isEmpty(); // classpath (Camel's default without a prefix): Camel reads those itself
            }
        }
        if (!onDisk) {
            return files;
        }
        if (files.isEmpty() && !elsewhere) {
            throw new RouteFileException(PATTERN_SETTING, "no route file matches '" + pattern + "' (from " + Path.of("").toAbsolutePath()
                    + "): the collector would run no route. Put routes/jumpcloud-to-devo.yaml back, or run the routes inside the jar: "
                    + IN_THE_JAR);
        }
        boolean template_ = false;
        Path sender = null;
        boolean relay = false;
        for (Path f : files) {
            Loaded l = load(f, template);
            template_ |= l.template();
            sender = sender == null && l.sendsToRelay() ? f : sender;
            relay |= l.relay();
        }
        if (sender != null && !relay && !elsewhere) {
            throw new RouteFileException(sender.toString(), "its routes hand their pages to " + RELAY + " but no route file has the route that "
                    + "reads it (id devo-relay, from " + RELAY + " to {{devo.endpoint}}): every page would fail. Put it back (the jar's "
                    + "classpath:routes/jumpcloud-to-devo.yaml has it)");
        }
        if (template != null && !elsewhere && !template_) {
            throw new RouteFileException(PATTERN_SETTING, "none of " + files + " defines the routeTemplate with id '" + template
                    + "' that every service's route is made from (the jar's classpath:routes/jumpcloud-to-devo.yaml has it)");
        }
        return files;
    }

    /** Where the service routes hand their pages for the Devo relay route. */
    static final String RELAY = "direct:devo";

    /** What a route file holds: the template, a step sending to {@link #RELAY}, the route reading it. */
    private record Loaded(boolean template, boolean sendsToRelay, boolean relay) {
    }

    /** Loads one file as Camel would (YAML files only). */
    private static Loaded load(Path file, String template) {
        String n = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (!n.endsWith(".yaml") && !n.endsWith(".yml")) {
            return new Loaded(false, false, false); // XML or Java routes: Camel's own loader judges them
        }
        Object top;
        try {
            top = new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadFromString(Files.readString(file));
        } catch (IOException e) {
            throw new RouteFileException(file.toString(), "cannot be read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        } catch (RuntimeException e) {
            throw RouteFileException.problem(e, file.toString());
        }
        if (top == null) {
            throw new RouteFileException(file.toString(), "holds no route (an empty YAML file: Camel refuses it)");
        }
        if (!(top instanceof List<?>)) {
            throw new RouteFileException(file + ":1:1", "is not a list of routes (each starts with '- route:' or '- routeTemplate:'): "
                    + "Camel would skip this file without a word");
        }
        DefaultCamelContext scratch = new DefaultCamelContext(false); // never started: the definitions only
        try {
            PluginHelper.getRoutesLoader(scratch).loadRoutes(ResourceHelper.resolveResource(scratch, "file:" + file));
        } catch (Exception e) {
            throw RouteFileException.problem(e, file.toString());
        }
        var model = scratch.getCamelContextExtension().getContextPlugin(org.apache.camel.model.Model.class);
        boolean sends = model.getRouteTemplateDefinitions().stream().anyMatch(t -> sendsToRelay(t.getRoute().getOutputs()))
                || model.getRouteDefinitions().stream().anyMatch(r -> sendsToRelay(r.getOutputs()));
        boolean relay = model.getRouteDefinitions().stream().anyMatch(r -> r.getInput() != null && RELAY.equals(r.getInput().getEndpointUri()));
        return new Loaded(template != null && model.getRouteTemplateDefinitions().stream().anyMatch(t -> template.equals(t.getId())),
                sends, relay);
    }

    private static boolean sendsToRelay(List<org.apache.camel.model.ProcessorDefinition<?>> steps) {
        for (org.apache.camel.model.ProcessorDefinition<?> step : steps) {
            if (step instanceof org.apache.camel.model.ToDefinition to && RELAY.equals(to.getUri())) {
                return true;
            }
            if (sendsToRelay(step.getOutputs())) {
                return true;
            }
        }
        return false;
    }

    /** The files a {@code file:} pattern names (Camel's own resolver, as camel-main reads them), sorted. */
    static List<Path> match(String pattern) {
        DefaultCamelContext scratch = new DefaultCamelContext(false);
        try {
            return PluginHelper.getPackageScanResourceResolver(scratch).findResources("file:" + pattern).stream()
                    .map(r -> Path.of(r.getLocation().replaceFirst("^file:", "")))
                    .sorted()
                    .toList();
        } catch (Exception e) {
            if (e instanceof java.nio.file.NoSuchFileException || e.getCause() instanceof java.nio.file.NoSuchFileException) {
                return List.of(); // a folder that does not exist: no file, said by the caller
            }
            throw new RouteFileException(PATTERN_SETTING, "cannot list the files of 'file:" + pattern + "' from "
                    + Path.of("").toAbsolutePath() + " (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }
}
