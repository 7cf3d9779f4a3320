package io.collector.jumpcloud.app;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Property;

/** Collects every log line the collector writes while it is open, as a user reading the log would. */
final class LogCapture extends AbstractAppender implements AutoCloseable {
    private final List<String> lines = new CopyOnWriteArrayList<>();

    private LogCapture() {
        super("capture-" + System.nanoTime(), null, null, true, Property.EMPTY_ARRAY);
    }

    static LogCapture capture() {
        LogCapture c = new LogCapture();
        c.start0();
        return c;
    }

    private void start0() {
        start();
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().getRootLogger().addAppender(this, null, null);
        ctx.updateLoggers();
    }

    @Override
    public void append(LogEvent event) {
        StringBuilder sb = new StringBuilder(event.getLevel() + " " + event.getMessage().getFormattedMessage());
        for (Throwable t = event.getThrown(); t != null; t = t.getCause()) {
            sb.append(" | ").append(t);
        }
        lines.add(sb.toString());
    }

    List<String> lines() {
        return lines;
    }

    boolean contains(String text) {
        return lines.stream().anyMatch(l -> l.contains(text));
    }

    /** The API key and no line of the private key's PEM body appear in any log line. */
    void assertNoSecrets(String apiKey, java.nio.file.Path privateKeyPem) throws java.io.IOException {
        assertNoSecrets(String.join("\n", lines), apiKey, privateKeyPem);
    }

    static void assertNoSecrets(String output, String apiKey, java.nio.file.Path privateKeyPem) throws java.io.IOException {
        if (output.contains(apiKey)) {
            throw new AssertionError("the API key appears in the output");
        }
        if (privateKeyPem != null) {
            for (String line : java.nio.file.Files.readAllLines(privateKeyPem)) {
                if (!line.startsWith("-----") && line.length() > 16 && output.contains(line)) {
                    throw new AssertionError("private key material appears in the output");
                }
            }
        }
    }

    @Override
    public void close() {
        LoggerContext ctx = (LoggerContext) LogManager.getContext(false);
        ctx.getConfiguration().getRootLogger().removeAppender(getName());
        ctx.updateLoggers();
        stop();
    }
}
