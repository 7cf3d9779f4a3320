package io.collector.jumpcloud.tls;

import io.collector.jumpcloud.config.SettingsException;

/** A Devo TLS file is missing, unreadable, not PEM, expired, or the key does not fit the certificate. */
public class TlsSetupException extends SettingsException {
    public TlsSetupException(String setting, String message) {
        super(setting, message);
    }

    public TlsSetupException(String setting, String message, Throwable cause) {
        super(setting, message, cause);
    }
}
