package io.collector.jumpcloud.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.collector.jumpcloud.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Devo's three PEM files in every shape users get them, and every way they go wrong. */
class DevoTlsMaterialTest {
    @TempDir
    static Path dir;
    static TestPki pki;

    @BeforeAll
    static void pki() throws Exception {
        pki = TestPki.create(dir);
    }

    static DevoTlsMaterial load(Path cert, Path key, String password) {
        return DevoTlsMaterial.load(cert, key, Optional.ofNullable(password), pki.ca(), Instant.now());
    }

    @Test
    void readsPkcs8Pkcs1EncryptedAndEcKeys() throws Exception {
        assertNotNull(load(pki.clientCert(), pki.clientKey(), null).sslContext());
        assertNotNull(load(pki.clientCert(), pki.clientKeyPkcs1(), null).sslContext());
        assertTrue(Files.readString(pki.clientKeyPkcs1()).contains("BEGIN RSA PRIVATE KEY"));
        assertNotNull(load(pki.clientCert(), pki.encryptedClientKey("s3cret-pw"), "s3cret-pw").sslContext());
        Path[] ec = pki.ecClient();
        assertTrue(Files.readString(ec[1]).contains("BEGIN EC PRIVATE KEY"));
        assertNotNull(load(ec[0], ec[1], null).sslContext());
        assertThrows(TlsSetupException.class, () -> load(ec[0], pki.clientKey(), null), "an RSA key for an EC certificate");
    }

    @Test
    void eachMistakeNamesTheSettingAndTheFile() throws Exception {
        Path notPem = Files.writeString(dir.resolve("notpem.crt"), "this is not a certificate");
        Path huge = dir.resolve("huge.pem");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
            f.setLength(2 << 20);
        }
        Object[][] cases = {
            {dir.resolve("missing.crt"), pki.clientKey(), null, "devo.tls.cert-file", "does not exist"},
            {notPem, pki.clientKey(), null, "devo.tls.cert-file", "no PEM block"},
            {Path.of("/dev/zero"), pki.clientKey(), null, "devo.tls.cert-file", "is not a regular file (a device or a pipe?)"},
            {pki.clientCert(), huge, null, "devo.tls.key-file", "is 2048 KB, more than a PEM file"},
            {pki.clientKey(), pki.clientKey(), null, "devo.tls.cert-file", "holds no certificate"},
            {pki.clientCert(), pki.clientCert(), null, "devo.tls.key-file", "holds no private key"},
            {pki.clientCert(), pki.mismatchedClientKey(), null, "devo.tls.key-file", "does not belong to the certificate"},
            {pki.expiredClientCert(), pki.clientKey(), null, "devo.tls.cert-file", "expired on"},
            {pki.clientCert(), pki.encryptedClientKey("pw"), null, "devo.tls.key-password", "is encrypted"},
            {pki.clientCert(), pki.encryptedClientKey("pw"), "wrong", "devo.tls.key-file", "wrong devo.tls.key-password?"},
        };
        for (Object[] c : cases) {
            TlsSetupException e = assertThrows(TlsSetupException.class, () -> load((Path) c[0], (Path) c[1], (String) c[2]), (String) c[4]);
            assertEquals(c[3], e.setting(), e.getMessage());
            assertTrue(e.getMessage().contains((String) c[4]), e.getMessage());
        }
    }

    @Test
    void noKeyMaterialInAnyMessage() throws Exception {
        String keyText = Files.readString(pki.clientKey());
        String body = keyText.lines().filter(l -> !l.startsWith("-----")).findFirst().orElseThrow();
        TlsSetupException e = assertThrows(TlsSetupException.class, () -> load(pki.clientCert(), pki.mismatchedClientKey(), null));
        assertFalse(e.getMessage().contains(body));
        TlsSetupException e2 = assertThrows(TlsSetupException.class, () -> load(pki.clientCert(), pki.encryptedClientKey("pw"), "nope"));
        assertFalse(e2.getMessage().contains("nope"), "the password is not echoed");
    }
}
