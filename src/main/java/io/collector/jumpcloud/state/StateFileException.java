package io.collector.jumpcloud.state;

import java.nio.file.Path;

/**
 * A state file that cannot be trusted (unreadable, empty, a field of the wrong type, an unknown
 * version): resuming from a guess would send the whole history again or skip events, so its route
 * does not run until the file is moved aside or restored.
 */
public final class StateFileException extends IllegalStateException {
    private final transient Path file;
    private final String problem;

    public StateFileException(Path file, String problem, Throwable cause) {
        super("the state file " + file.toAbsolutePath() + " cannot be trusted: " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    public Path file() {
        return file;
    }

    /** What is wrong with it, without the path. */
    public String problem() {
        return problem;
    }
}
