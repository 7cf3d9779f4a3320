package io.collector.jumpcloud.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;

/**
 * Checks the settings against {@code collector-settings.schema.json} (JSON Schema 2020-12, with the
 * networknt validator), so the rules live in one declarative file. A failure becomes the reference's
 * InitVariablesError: 1 for a missing required setting, 3 for a value the schema refuses; the message
 * names the setting and says what is expected, from the schema's own description and example.
 */
public final class SettingsSchema {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNode SCHEMA_JSON;
    private static final JsonSchema SCHEMA;

    static {
        try (InputStream in = SettingsSchema.class.getResourceAsStream("/collector-settings.schema.json")) {
            SCHEMA_JSON = JSON.readTree(in);
            // x-default: a default said in words (no value), for --help and the docs only
            JsonMetaSchema meta = JsonMetaSchema.builder(JsonMetaSchema.getV202012()).keyword(new NonValidationKeyword("x-default")).build();
            SCHEMA = JsonSchemaFactory.builder(JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)).metaSchema(meta).build()
                    .getSchema(SCHEMA_JSON);
        } catch (IOException e) {
            throw new UncheckedIOException("collector-settings.schema.json is missing from the jar", e);
        }
    }

    private SettingsSchema() {
    }

    /** A setting's default as the schema gives it, as text; null when it has none (or one computed at start). */
    public static String defaultValue(String name) {
        JsonNode d = SCHEMA_JSON.path("properties").path(name).path("default");
        return d.isMissingNode() || d.isNull() ? null : d.asText();
    }

    /** A setting's default in words, for the help: its value, what it is computed from, or "" when it has none. */
    public static String defaultText(String name) {
        JsonNode p = SCHEMA_JSON.path("properties").path(name);
        if (p.has("default")) {
            return p.get("default").asText();
        }
        return p.path("x-default").asText("");
    }

    /** What a setting is, from the schema. */
    public static String description(String name) {
        return definition(name).path("description").asText("");
    }

    /** The pattern a setting's value must match, from the schema (empty when it has none). */
    static String pattern(String name) {
        return definition(name).path("pattern").asText("");
    }

    /** Whether the schema requires the setting. */
    public static boolean required(String name) {
        for (JsonNode r : SCHEMA_JSON.path("required")) {
            if (r.asText().equals(name)) {
                return true;
            }
        }
        return false;
    }

    /** The names of all settings the schema knows, in its order. */
    public static java.util.List<String> all() {
        java.util.List<String> out = new java.util.ArrayList<>();
        names().forEach(out::add);
        return out;
    }

    /** The names of all settings the schema knows. */
    static Iterable<String> names() {
        return SCHEMA_JSON.path("properties")::fieldNames;
    }

    static void validate(Map<String, String> raw) {
        ObjectNode doc = JSON.createObjectNode();
        raw.forEach((name, value) -> {
            // properties are text: a number-typed setting is given as a number when it reads as one
            String type = definition(name).path("type").asText();
            if ("integer".equals(type) && value.trim().matches("-?[0-9]{1,18}")) {
                doc.put(name, Long.parseLong(value.trim()));
            } else if ("number".equals(type) && value.trim().matches("-?[0-9]{1,9}(\\.[0-9]{1,9})?")) {
                doc.put(name, new java.math.BigDecimal(value.trim()));
            } else {
                doc.put(name, value);
            }
        });
        Set<ValidationMessage> errors;
        try {
            errors = SCHEMA.validate(doc.toString(), InputFormat.JSON);
        } catch (StackOverflowError e) {
            // a pattern with a repeated group recurses per repetition: a huge value is refused, named, not a crash
            String longest = raw.entrySet().stream().max(Comparator.comparingInt(x -> x.getValue().length())).map(Map.Entry::getKey)
                    .orElse("?");
            throw new SettingsException(longest, "is too long to check (" + raw.get(longest).length() + " characters) (InitVariablesError 3)");
        }
        // report the first in the order of the file (and of application.properties)
        java.util.List<String> order = new java.util.ArrayList<>();
        names().forEach(order::add);
        errors.stream().min(Comparator.comparingInt(e -> order.indexOf(setting(e)))).ifPresent(e -> {
            throw failure(e, raw);
        });
    }

    private static JsonNode definition(String name) {
        JsonNode d = SCHEMA_JSON.path("properties").path(name);
        if (d.has("$ref")) {
            String ref = d.get("$ref").asText();
            d = SCHEMA_JSON.at(ref.substring(1));
        }
        return d;
    }

    private static String setting(ValidationMessage e) {
        if ("dependentRequired".equals(e.getType())) {
            return String.valueOf(e.getArguments()[0]); // the missing one; getProperty() is the one present
        }
        if ("required".equals(e.getType())) {
            return e.getProperty() != null ? e.getProperty() : String.valueOf(e.getArguments()[0]);
        }
        String path = e.getInstanceLocation().toString();
        Iterator<String> it = names().iterator();
        while (it.hasNext()) {
            String n = it.next();
            if (path.endsWith("." + n) || path.endsWith("['" + n + "']")) {
                return n;
            }
        }
        return path;
    }

    private static SettingsException failure(ValidationMessage e, Map<String, String> raw) {
        String name = setting(e);
        JsonNode d = definition(name);
        String what = d.path("description").asText(name);
        String example = d.path("examples").isArray() && d.path("examples").size() > 0
                ? ", e.g. " + d.path("examples").get(0).asText() : "";
        if ("required".equals(e.getType()) || "dependentRequired".equals(e.getType())) {
            String because = "dependentRequired".equals(e.getType()) ? " when devo.host is set" : "";
            return new SettingsException(name, "is required" + because + " (InitVariablesError 1): " + what + example);
        }
        // secrets, and a proxy URL that may carry a password, are not repeated
        String value = CollectorSettings.API_KEY.equals(name) || CollectorSettings.KEY_PASSWORD.equals(name)
                || CollectorSettings.PROXY_URL.equals(name) ? "the value" : "'" + raw.get(name) + "'";
        return new SettingsException(name, value + " is not valid (InitVariablesError 3): expected " + what + example);
    }
}
