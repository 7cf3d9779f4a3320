package io.collector.jumpcloud.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The settings are defined once, in collector-settings.schema.json: the README's table, the
 * commented settings of application.properties and --help are generated from it. A setting added,
 * renamed or given a new default there fails this test until the two files are regenerated:
 * {@code mvn -o test -Dtest=SettingsDocsTest -Dsettings.docs.write=true} rewrites their generated parts.
 */
class SettingsDocsTest {
    static final String README_BEGIN = "<!-- settings: generated from collector-settings.schema.json (SettingsDocsTest) -->\n";
    static final String README_END = "<!-- /settings -->\n";
    static final String PROPERTIES_BEGIN = "# ==== the collector's settings, generated from collector-settings.schema.json (SettingsDocsTest) ====\n";
    static final String PROPERTIES_END = "# ==== end of the collector's settings ====\n";

    @Test
    void theReadmeTableIsTheSchemas() throws Exception {
        check(Path.of("README.md"), README_BEGIN, SettingsDocs.markdownTable(), README_END);
    }

    @Test
    void applicationPropertiesListsEverySettingWithItsDefault() throws Exception {
        check(Path.of("application.properties"), PROPERTIES_BEGIN, SettingsDocs.propertiesBlock(), PROPERTIES_END);
        // and each line is what the collector reads: uncommented, the file would run with the defaults
        String text = Files.readString(Path.of("application.properties"), StandardCharsets.UTF_8);
        for (String name : SettingsSchema.all()) {
            if (!name.equals("devo.endpoint")) {
                String value = SettingsSchema.defaultValue(name);
                assertTrue(text.contains("\n#" + name + "=" + (value == null ? "" : value) + "\n"), name);
            }
        }
    }

    @Test
    void helpListsEverySettingWithItsEnvironmentVariableAndDefault() {
        String help = SettingsDocs.help();
        for (SettingsDocs.Entry e : SettingsDocs.folded()) {
            String head = "  " + e.name() + " (" + e.env() + ")" + (e.required() ? ", required"
                    : e.defaultText().isEmpty() ? "" : ", default " + e.defaultText()) + "\n";
            assertTrue(help.contains(head), head);
        }
        assertTrue(help.contains("  jumpcloud.page-size (JUMPCLOUD_PAGE_SIZE), default 10000\n"), help);
        assertTrue(help.contains("  jumpcloud.api-key (JUMPCLOUD_API_KEY), required\n"), help);
        assertTrue(help.contains("  devo.table.sso (DEVO_TABLE_SSO), default auth.jumpcloud.sso.events\n"), help);
        assertTrue(help.contains("  devo.table.<service> (DEVO_TABLE_<SERVICE>), default devo.table.fallback\n"), help);
        assertTrue(help.contains("software, password_manager"), "the services without a table of their own are named");
    }

    @Test
    void aFirstClassServiceIsOneEntryInTheSchema() {
        // the services and their default tables come from the schema's devo.table.* entries
        assertEquals(SettingsSchema.all().stream().filter(n -> n.startsWith("devo.table.") && !n.equals("devo.table.fallback"))
                .map(n -> n.substring("devo.table.".length())).toList(), CollectorSettings.KNOWN_SERVICES);
        assertTrue(CollectorSettings.KNOWN_SERVICES.containsAll(java.util.List.of("directory", "systems", "sso", "radius", "ldap", "mdm")));
    }

    private static void check(Path file, String begin, String generated, String end) throws Exception {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        int a = text.indexOf(begin);
        int b = text.indexOf(end);
        assertTrue(a >= 0 && b > a, file + " has the markers " + begin.trim() + " and " + end.trim());
        String now = text.substring(a + begin.length(), b);
        if (!now.equals(generated) && Boolean.getBoolean("settings.docs.write")) {
            Files.writeString(file, text.substring(0, a + begin.length()) + generated + text.substring(b), StandardCharsets.UTF_8);
            return;
        }
        assertEquals(generated, now, file + " differs from the settings schema: regenerate it with "
                + "mvn -o test -Dtest=SettingsDocsTest -Dsettings.docs.write=true");
    }

    static String capture(java.util.function.Consumer<PrintStream> body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        body.accept(new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }
}
