package io.collector.jumpcloud.tls;

import io.collector.jumpcloud.config.CollectorSettings;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * The three PEM files of Devo's credentials page (client certificate, private key, CA chain) turned
 * into an {@link SSLContext} for mutual TLS, with every way they can be wrong reported at start with
 * the setting and file named. Key material never appears in a message.
 */
public final class DevoTlsMaterial {
    private static final char[] STORE_PASSWORD = "devo-collector".toCharArray();
    /** A certificate is a few kB; the largest CA bundles (every public CA) are about 250 kB. */
    static final long MAX_PEM_BYTES = 1 << 20;

    private final KeyStore keyStore;
    private final KeyStore trustStore;
    private final X509Certificate clientCertificate;

    private DevoTlsMaterial(KeyStore keyStore, KeyStore trustStore, X509Certificate clientCertificate) {
        this.keyStore = keyStore;
        this.trustStore = trustStore;
        this.clientCertificate = clientCertificate;
    }

    public static DevoTlsMaterial load(Path certFile, Path keyFile, Optional<String> keyPassword, Path caFile, Instant now) {
        List<X509Certificate> chain = certificates(CollectorSettings.CERT_FILE, certFile);
        X509Certificate cert = chain.get(0);
        checkValidity(CollectorSettings.CERT_FILE, certFile, cert, now);
        PrivateKey key = privateKey(keyFile, keyPassword);
        checkKeyMatches(key, cert, keyFile, certFile);
        List<X509Certificate> cas = certificates(CollectorSettings.CA_FILE, caFile);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            List<X509Certificate> full = new ArrayList<>(chain);
            ks.setKeyEntry(DevoClientKeyManager.ALIAS, key, STORE_PASSWORD, full.toArray(new X509Certificate[0]));
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                ts.setCertificateEntry("devo-ca-" + i, cas.get(i));
            }
            return new DevoTlsMaterial(ks, ts, cert);
        } catch (GeneralSecurityException | IOException e) {
            throw new TlsSetupException(CollectorSettings.KEY_FILE, "cannot build the TLS key store from " + keyFile + ": " + e.getMessage(), e);
        }
    }

    public KeyStore keyStore() {
        return keyStore;
    }

    public char[] keyPassword() {
        return STORE_PASSWORD.clone();
    }

    public KeyStore trustStore() {
        return trustStore;
    }

    public X509Certificate clientCertificate() {
        return clientCertificate;
    }

    /** TLS 1.3 and 1.2 only, client certificate from the key file, trust only the CA chain. */
    public SSLContext sslContext() {
        try {
            java.security.cert.Certificate[] stored = keyStore.getCertificateChain(DevoClientKeyManager.ALIAS);
            X509Certificate[] chain = java.util.Arrays.copyOf(stored, stored.length, X509Certificate[].class);
            DevoClientKeyManager km = new DevoClientKeyManager(chain, (PrivateKey) keyStore.getKey(DevoClientKeyManager.ALIAS, STORE_PASSWORD));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustStore);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(new javax.net.ssl.KeyManager[] {km}, tmf.getTrustManagers(), null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new TlsSetupException(CollectorSettings.CERT_FILE, "cannot build the TLS context: " + e.getMessage(), e);
        }
    }

    private static String read(String setting, Path file) {
        if (file == null) {
            throw new TlsSetupException(setting, "is required when devo.host is set");
        }
        if (!Files.exists(file)) {
            throw new TlsSetupException(setting, "file " + file.toAbsolutePath() + " does not exist");
        }
        if (!Files.isReadable(file) || Files.isDirectory(file)) {
            throw new TlsSetupException(setting, "file " + file.toAbsolutePath() + " cannot be read by this user");
        }
        try {
            // a device or a pipe (/dev/zero, a FIFO nobody writes) would fill the heap or block the start
            if (!Files.isRegularFile(file)) {
                throw new TlsSetupException(setting, "file " + file.toAbsolutePath() + " is not a regular file (a device or a pipe?)");
            }
            long size = Files.size(file);
            if (size > MAX_PEM_BYTES) {
                throw new TlsSetupException(setting, "file " + file.toAbsolutePath() + " is " + size / 1024
                        + " KB, more than a PEM file of keys and certificates (at most " + MAX_PEM_BYTES / 1024 + " KB)");
            }
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new TlsSetupException(setting, "file " + file.toAbsolutePath() + " cannot be read: " + e.getMessage());
        }
    }

    private static List<Object> pemObjects(String setting, Path file) {
        String text = read(setting, file);
        List<Object> out = new ArrayList<>();
        try (Reader r = new java.io.StringReader(text); PEMParser parser = new PEMParser(r)) {
            Object o;
            while ((o = parser.readObject()) != null) {
                out.add(o);
            }
        } catch (IOException | RuntimeException e) {
            throw new TlsSetupException(setting, "file " + file.toAbsolutePath() + " is not valid PEM (" + e.getClass().getSimpleName() + ")");
        }
        if (out.isEmpty()) {
            throw new TlsSetupException(setting, "file " + file.toAbsolutePath() + " holds no PEM block (expected -----BEGIN ...-----)");
        }
        return out;
    }

    private static List<X509Certificate> certificates(String setting, Path file) {
        List<X509Certificate> certs = new ArrayList<>();
        JcaX509CertificateConverter conv = new JcaX509CertificateConverter();
        for (Object o : pemObjects(setting, file)) {
            if (o instanceof X509CertificateHolder h) {
                try {
                    certs.add(conv.getCertificate(h));
                } catch (GeneralSecurityException e) {
                    throw new TlsSetupException(setting, "file " + file.toAbsolutePath() + " holds an unreadable certificate: " + e.getMessage());
                }
            }
        }
        if (certs.isEmpty()) {
            throw new TlsSetupException(setting, "file " + file.toAbsolutePath() + " holds no certificate (expected -----BEGIN CERTIFICATE-----)");
        }
        return certs;
    }

    private static void checkValidity(String setting, Path file, X509Certificate cert, Instant now) {
        try {
            cert.checkValidity(Date.from(now));
        } catch (CertificateExpiredException e) {
            throw new TlsSetupException(setting, "the certificate in " + file.toAbsolutePath() + " expired on "
                    + cert.getNotAfter().toInstant() + ": download a new one from Devo (Administration > Credentials)");
        } catch (CertificateNotYetValidException e) {
            throw new TlsSetupException(setting, "the certificate in " + file.toAbsolutePath() + " is not valid before "
                    + cert.getNotBefore().toInstant() + " (check this machine's clock)");
        }
    }

    private static PrivateKey privateKey(Path file, Optional<String> password) {
        String setting = CollectorSettings.KEY_FILE;
        JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
        for (Object o : pemObjects(setting, file)) {
            try {
                if (o instanceof PEMKeyPair kp) { // PKCS#1 RSA or SEC1 EC; SEC1 may omit the public key
                    return conv.getPrivateKey(kp.getPrivateKeyInfo());
                }
                if (o instanceof PrivateKeyInfo pki) { // PKCS#8
                    return conv.getPrivateKey(pki);
                }
                if (o instanceof PKCS8EncryptedPrivateKeyInfo enc) {
                    char[] pw = password.orElseThrow(() -> new TlsSetupException(CollectorSettings.KEY_PASSWORD,
                            "the key in " + file.toAbsolutePath() + " is encrypted: set the key password Devo shows next to the certificates")).toCharArray();
                    return conv.getPrivateKey(enc.decryptPrivateKeyInfo(
                            new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(new BouncyCastleProvider()).build(pw)));
                }
                if (o instanceof PEMEncryptedKeyPair enc) {
                    char[] pw = password.orElseThrow(() -> new TlsSetupException(CollectorSettings.KEY_PASSWORD,
                            "the key in " + file.toAbsolutePath() + " is encrypted: set the key password Devo shows next to the certificates")).toCharArray();
                    return conv.getPrivateKey(enc.decryptKeyPair(new JcePEMDecryptorProviderBuilder().build(pw)).getPrivateKeyInfo());
                }
            } catch (TlsSetupException e) {
                throw e;
            } catch (Exception e) {
                throw new TlsSetupException(CollectorSettings.KEY_PASSWORD.equals(setting) ? setting : setting,
                        "cannot read the private key in " + file.toAbsolutePath()
                                + (password.isPresent() ? " (wrong devo.tls.key-password?)" : "") + ": " + e.getClass().getSimpleName()
                                + (e.getCause() != null ? " (" + e.getCause().getClass().getSimpleName() + ")" : ""));
            }
        }
        throw new TlsSetupException(setting, "file " + file.toAbsolutePath() + " holds no private key (expected -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)");
    }

    /** Signs and verifies a probe: works for RSA and EC alike, and proves the pair without exposing it. */
    private static void checkKeyMatches(PrivateKey key, X509Certificate cert, Path keyFile, Path certFile) {
        PublicKey pub = cert.getPublicKey();
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "Ed25519", "EdDSA" -> "Ed25519";
            default -> null;
        };
        boolean ok;
        try {
            if (alg == null || !key.getAlgorithm().equals(pub.getAlgorithm())) {
                ok = false;
            } else {
                byte[] probe = "devo-collector key check".getBytes(StandardCharsets.US_ASCII);
                Signature s = Signature.getInstance(alg);
                s.initSign(key);
                s.update(probe);
                byte[] sig = s.sign();
                Signature v = Signature.getInstance(alg);
                v.initVerify(pub);
                v.update(probe);
                ok = v.verify(sig);
            }
        } catch (GeneralSecurityException e) {
            ok = false;
        }
        if (!ok) {
            throw new TlsSetupException(CollectorSettings.KEY_FILE, "the private key in " + keyFile.toAbsolutePath()
                    + " does not belong to the certificate in " + certFile.toAbsolutePath()
                    + ": use the key and certificate downloaded together from Devo");
        }
    }
}
