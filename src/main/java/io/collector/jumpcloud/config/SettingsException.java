package io.collector.jumpcloud.config;

/**
 * A setting is missing or wrong. The message names the setting and the fix, and never carries a
 * secret value, so it can be printed to the user as it is.
 */
public class SettingsException extends RuntimeException {
    private final String setting;

    public SettingsException(String setting, String message) {
        super(setting + ": " + message);
        this.setting = setting;
    }

    public SettingsException(String setting, String message, Throwable cause) {
        super(setting + ": " + message, cause);
        this.setting = setting;
    }

    public String setting() {
        return setting;
    }
}
