package io.collector.jumpcloud.app;

import io.collector.jumpcloud.config.SettingsException;
import java.nio.file.Path;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;

/**
 * A route file that Camel would refuse (or silently skip), as one line naming the file and line
 * (exit code 2), made from {@link RouteFilesCheck}'s findings or from Camel's own failure to load it.
 */
public final class RouteFileException extends SettingsException {
    RouteFileException(String where, String message) {
        super(where, message);
    }

    /**
     * camel-main's (or Camel's loader's) failure to read a route file as one line naming the file and
     * line, or null when it is not about a route file.
     */
    public static RouteFileException problemIn(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof java.nio.file.NoSuchFileException missing && java.util.Arrays.stream(failure.getStackTrace())
                    .anyMatch(f -> f.getClassName().endsWith("RoutesCollector"))) {
                return new RouteFileException(RouteFilesCheck.PATTERN_SETTING, "the folder " + missing.getFile() + " does not exist (from "
                        + Path.of("").toAbsolutePath() + "): the collector would run no route. Put routes/jumpcloud-to-devo.yaml back, "
                        + "or run the routes inside the jar: " + RouteFilesCheck.IN_THE_JAR);
            }
            if (t instanceof MarkedYamlEngineException) {
                return problem(t, "a route file");
            }
        }
        return null;
    }

    static RouteFileException problem(Throwable failure, String file) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof MarkedYamlEngineException m) {
                Mark at = m.getProblemMark().or(m::getContextMark).orElse(null);
                String name = at == null ? file : at.getName().replaceFirst("^file:", "");
                String problem = m.getProblem() == null ? String.valueOf(m.getContext()) : m.getProblem();
                String where = at == null ? name : name + ":" + (at.getLine() + 1) + ":" + (at.getColumn() + 1);
                return new RouteFileException(where, "Camel cannot load it: " + words(problem));
            }
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new RouteFileException(file, "Camel cannot load it: " + words(String.valueOf(root.getMessage())));
    }

    /** Camel's message on one line; its words for a misspelt step made plain. */
    private static String words(String message) {
        return message.strip().replaceAll("\\s+", " ")
                .replaceFirst("^Unknown node id: (.*)$", "'$1' is not a step of Camel's YAML DSL (misspelt?)");
    }
}
