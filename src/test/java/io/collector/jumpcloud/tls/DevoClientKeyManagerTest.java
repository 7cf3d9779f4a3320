package io.collector.jumpcloud.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.collector.jumpcloud.testing.TestPki;
import java.time.Instant;
import java.util.Optional;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;

class DevoClientKeyManagerTest {
    @Test
    void offersTheDevoCertificateWhateverCasTheRelayLists() throws Exception {
        TestPki pki = TestPki.shared();
        DevoTlsMaterial tls = DevoTlsMaterial.load(pki.clientCert(), pki.clientKey(), Optional.empty(), pki.ca(), Instant.now());
        java.security.cert.Certificate[] c = tls.keyStore().getCertificateChain(DevoClientKeyManager.ALIAS);
        DevoClientKeyManager km = new DevoClientKeyManager(
                java.util.Arrays.copyOf(c, c.length, java.security.cert.X509Certificate[].class),
                (java.security.PrivateKey) tls.keyStore().getKey(DevoClientKeyManager.ALIAS, tls.keyPassword()));
        X509ExtendedKeyManager k = km;
        // a relay listing some other CA: the JDK's own key manager would send no certificate here
        String alias = k.chooseEngineClientAlias(new String[] {"RSA"}, new X500Principal[] {new X500Principal("CN=Some Other CA")}, null);
        assertEquals(DevoClientKeyManager.ALIAS, alias);
        assertEquals(tls.clientCertificate(), k.getCertificateChain(alias)[0]);
        assertNotNull(k.getPrivateKey(alias));
    }
}
