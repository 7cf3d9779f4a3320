package io.collector.jumpcloud.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The settings as users read them, generated from the schema (the one place a setting is defined):
 * the {@code --help} text, the settings table of the README and the commented settings of
 * {@code application.properties}. SettingsDocsTest keeps the two files equal to what this generates.
 */
public final class SettingsDocs {
    /** A setting as documented: its name, its default in words ("" when none) and its meaning. */
    public record Entry(String name, String env, String defaultText, String meaning, boolean required) {
    }

    private SettingsDocs() {
    }

    /** The environment variable that sets a setting: upper case, dots and dashes as underscores. */
    public static String envName(String setting) {
        return setting.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** Every setting a user sets (devo.endpoint, the collector's own wiring, stays out). */
    public static List<Entry> entries() {
        List<Entry> out = new ArrayList<>();
        for (String name : SettingsSchema.all()) {
            if (name.equals("devo.endpoint")) {
                continue;
            }
            String meaning = SettingsSchema.description(name);
            if (name.startsWith(DevoTableSettings.PREFIX)) {
                String service = name.substring(DevoTableSettings.PREFIX.length());
                meaning = service.equals("fallback") ? "the Devo table of the events of services without a table of their own"
                        : "the Devo table of the " + service + " events" + (SettingsSchema.defaultValue(name) == null
                        ? " (default: devo.table.fallback)" : "");
            }
            out.add(new Entry(name, envName(name), SettingsSchema.defaultText(name), meaning, SettingsSchema.required(name)));
        }
        return out;
    }

    /**
     * The entries with the devo.table.&lt;service&gt; of services without a default table folded into
     * one (the README and --help stay short; application.properties lists each).
     */
    public static List<Entry> folded() {
        List<Entry> out = new ArrayList<>();
        List<String> others = new ArrayList<>();
        for (Entry e : entries()) {
            if (e.name().startsWith(DevoTableSettings.PREFIX) && SettingsSchema.defaultValue(e.name()) == null) {
                others.add(e.name().substring(DevoTableSettings.PREFIX.length()));
            } else {
                out.add(e);
            }
        }
        if (!others.isEmpty()) {
            int at = out.indexOf(out.stream().filter(e -> e.name().equals(CollectorSettings.FALLBACK_TABLE)).findFirst().orElseThrow());
            out.add(at, new Entry(DevoTableSettings.PREFIX + "<service>", "DEVO_TABLE_<SERVICE>", "devo.table.fallback",
                    "the Devo table of another service's events (" + String.join(", ", others) + ", or one JumpCloud adds later)", false));
        }
        return out;
    }

    /** The settings part of --help. */
    public static String help() {
        StringBuilder b = new StringBuilder();
        for (Entry e : folded()) {
            b.append("  ").append(e.name()).append(" (").append(e.env()).append(")");
            b.append(e.required() ? ", required" : e.defaultText().isEmpty() ? "" : ", default " + e.defaultText()).append('\n');
            for (String line : wrap(e.meaning(), 92)) {
                b.append("      ").append(line).append('\n');
            }
        }
        return b.toString();
    }

    /** The README's settings table (markdown). */
    public static String markdownTable() {
        StringBuilder b = new StringBuilder("| setting | environment variable | default | meaning |\n|---|---|---|---|\n");
        for (Entry e : folded()) {
            String dflt = e.required() ? "(required)" : e.defaultText().isEmpty() ? "" : "`" + e.defaultText() + "`";
            if (!e.defaultText().isEmpty() && SettingsSchema.defaultValue(e.name()) == null && !e.name().endsWith("<service>")) {
                dflt = e.defaultText(); // said in words
            }
            b.append("| `").append(e.name()).append("` | `").append(e.env()).append("` | ").append(dflt).append(" | ")
                    .append(e.meaning().replace("|", "\\|")).append(" |\n");
        }
        return b.toString();
    }

    /** The commented settings of application.properties: the meaning, then the setting with its default. */
    public static String propertiesBlock() {
        StringBuilder b = new StringBuilder();
        String section = "";
        for (Entry e : entries()) {
            String s = e.name().substring(0, e.name().indexOf('.'));
            if (!s.equals(section)) {
                section = s;
                String title = "# --- " + s + " ";
                b.append(b.length() == 0 ? "" : "\n").append(title).append("-".repeat(Math.max(3, 100 - title.length()))).append('\n');
            }
            for (String line : wrap(e.meaning() + (e.required() ? " (required)" : SettingsSchema.defaultValue(e.name()) == null
                    && !e.defaultText().isEmpty() ? " (default: " + e.defaultText() + ")" : ""), 98)) {
                b.append("# ").append(line).append('\n');
            }
            String value = SettingsSchema.defaultValue(e.name());
            b.append('#').append(e.name()).append('=').append(value == null ? "" : value).append('\n');
        }
        return b.toString();
    }

    static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split("\\s+")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.length() == 0 ? "" : " ").append(word);
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }
}
