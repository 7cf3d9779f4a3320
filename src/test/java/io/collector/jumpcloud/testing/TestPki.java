package io.collector.jumpcloud.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Test certificates written as Devo's credentials page hands them out: a CA chain, a client
 * certificate and key, a server certificate for the relay (SAN localhost and 127.0.0.1), plus the
 * broken variants users run into. Files are world-readable so rsyslog (running as nobody) reads them.
 */
public final class TestPki {
    /** A JumpCloud API host name of the tests: in the server certificate, resolved by the test proxy only. */
    public static final String API_HOST = "api.jumpcloud.test";

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path dir;
    private final KeyPair caKeys;
    private final X509Certificate caCert;
    private final KeyPair serverKeys;
    private final X509Certificate serverCert;
    private final KeyPair clientKeys;
    private final X509Certificate clientCert;

    private TestPki(Path dir) throws Exception {
        this.dir = dir;
        Files.createDirectories(dir);
        Instant now = Instant.now();
        caKeys = rsa();
        caCert = cert("CN=Test Devo CA", caKeys, "CN=Test Devo CA", caKeys, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)), true, null, null);
        serverKeys = rsa();
        serverCert = cert("CN=localhost", serverKeys, "CN=Test Devo CA", caKeys, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)),
                false, KeyPurposeId.id_kp_serverAuth, new String[] {"localhost", "127.0.0.1", API_HOST});
        clientKeys = rsa();
        clientCert = cert("CN=test-domain", clientKeys, "CN=Test Devo CA", caKeys, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)),
                false, KeyPurposeId.id_kp_clientAuth, null);
        write("ca.pem", caCert);
        write("server.pem", serverCert);
        write("server.key", pkcs8(serverKeys));
        write("client.crt", clientCert);
        write("client.key", pkcs8(clientKeys));
        traversable(dir);
    }

    public static TestPki create(Path dir) throws Exception {
        return new TestPki(dir);
    }

    private static TestPki shared;

    /** One PKI for all tests of this JVM (RSA keys take a while to make), in a temporary folder. */
    public static synchronized TestPki shared() {
        if (shared == null) {
            try {
                Path dir = Files.createTempDirectory("test-pki");
                dir.toFile().deleteOnExit();
                shared = new TestPki(dir);
            } catch (Exception e) {
                throw new IllegalStateException("cannot make the test PKI", e);
            }
        }
        return shared;
    }

    public Path ca() {
        return dir.resolve("ca.pem");
    }

    public Path serverCert() {
        return dir.resolve("server.pem");
    }

    public Path serverKey() {
        return dir.resolve("server.key");
    }

    public Path clientCert() {
        return dir.resolve("client.crt");
    }

    public Path clientKey() {
        return dir.resolve("client.key");
    }

    /** The client key as {@code BEGIN RSA PRIVATE KEY} (PKCS#1), as older Devo domains have it. */
    public Path clientKeyPkcs1() throws IOException {
        return write("client-pkcs1.key", clientKeys.getPrivate());
    }

    /**
     * An EC client key in SEC1 form ({@code BEGIN EC PRIVATE KEY}) made by the openssl command, as
     * users and Devo make them, and its certificate signed by the CA: {@code [cert, key]}.
     */
    public Path[] ecClient() throws Exception {
        Path key = dir.resolve("client-ec.key");
        Process p = new ProcessBuilder("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key.toString())
                .redirectErrorStream(true).start();
        if (p.waitFor() != 0) {
            throw new IllegalStateException("openssl ecparam failed: " + new String(p.getInputStream().readAllBytes()));
        }
        KeyPair keys;
        try (var parser = new org.bouncycastle.openssl.PEMParser(Files.newBufferedReader(key))) {
            keys = new org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter().getKeyPair((org.bouncycastle.openssl.PEMKeyPair) parser.readObject());
        }
        Instant now = Instant.now();
        X509Certificate c = cert("CN=test-domain-ec", keys, "CN=Test Devo CA", caKeys, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)),
                false, KeyPurposeId.id_kp_clientAuth, null);
        return new Path[] {write("client-ec.crt", c), key};
    }

    /** The client key encrypted with {@code password} ({@code BEGIN ENCRYPTED PRIVATE KEY}). */
    public Path encryptedClientKey(String password) throws Exception {
        var enc = new JceOpenSSLPKCS8EncryptorBuilder(org.bouncycastle.openssl.PKCS8Generator.AES_256_CBC)
                .setProvider(new org.bouncycastle.jce.provider.BouncyCastleProvider()).setPassword(password.toCharArray()).setRandom(RANDOM).build();
        return write("client-encrypted.key", new JcaPKCS8Generator(clientKeys.getPrivate(), enc));
    }

    /** A key that belongs to no certificate here. */
    public Path mismatchedClientKey() throws Exception {
        return write("client-mismatched.key", pkcs8(rsa()));
    }

    /** A client certificate that expired yesterday (its key is {@link #clientKey()}). */
    public Path expiredClientCert() throws Exception {
        Instant now = Instant.now();
        return write("client-expired.crt", cert("CN=test-domain", clientKeys, "CN=Test Devo CA", caKeys,
                now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)), false, KeyPurposeId.id_kp_clientAuth, null));
    }

    /** A client certificate and key from a CA the relay does not trust: {@code [cert, key]}. */
    public Path[] foreignClient() throws Exception {
        Instant now = Instant.now();
        KeyPair otherCa = rsa();
        KeyPair keys = rsa();
        X509Certificate c = cert("CN=intruder", keys, "CN=Other CA", otherCa, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)),
                false, KeyPurposeId.id_kp_clientAuth, null);
        return new Path[] {write("foreign.crt", c), write("foreign.key", pkcs8(keys))};
    }

    /** A relay certificate, signed by the trusted CA, for another name only: {@code [cert, key]}. */
    public Path[] wrongSanServer() throws Exception {
        Instant now = Instant.now();
        KeyPair keys = rsa();
        X509Certificate c = cert("CN=wrong.example", keys, "CN=Test Devo CA", caKeys, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)),
                false, KeyPurposeId.id_kp_serverAuth, new String[] {"wrong.example"});
        return new Path[] {write("wrong-san.pem", c), write("wrong-san.key", pkcs8(keys))};
    }

    /** A server-side context for an in-process relay (client authentication is set on the socket). */
    public SSLContext serverContext() throws Exception {
        return serverContext(serverKeys, serverCert);
    }

    /** The relay's good certificate, but trusting another CA only: it refuses our client certificate. */
    public SSLContext refusingServerContext() throws Exception {
        Instant now = Instant.now();
        KeyPair otherCaKeys = rsa();
        X509Certificate otherCa = cert("CN=Other CA", otherCaKeys, "CN=Other CA", otherCaKeys, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)), true, null, null);
        return serverContext(serverKeys, serverCert, otherCa);
    }

    /**
     * The relay's good certificate and CA, but it takes {@code delay} to look at a client certificate
     * and then refuses it: a busy relay whose TLS 1.3 refusal comes well after our handshake ended.
     */
    public SSLContext slowRefusingServerContext(Duration delay) throws Exception {
        javax.net.ssl.X509ExtendedTrustManager slowNo = new javax.net.ssl.X509ExtendedTrustManager() {
            private void refuse() throws java.security.cert.CertificateException {
                try {
                    Thread.sleep(delay.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new java.security.cert.CertificateException("this relay does not take this client (test)");
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) throws java.security.cert.CertificateException {
                refuse();
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine) throws java.security.cert.CertificateException {
                refuse();
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
                refuse();
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket) throws java.security.cert.CertificateException {
                throw new java.security.cert.CertificateException("a relay trusts no server");
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine) throws java.security.cert.CertificateException {
                throw new java.security.cert.CertificateException("a relay trusts no server");
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
                throw new java.security.cert.CertificateException("a relay trusts no server");
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[] {caCert};
            }
        };
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", serverKeys.getPrivate(), "x".toCharArray(), new X509Certificate[] {serverCert, caCert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "x".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), new javax.net.ssl.TrustManager[] {slowNo}, null);
        return ctx;
    }

    public SSLContext wrongSanServerContext() throws Exception {
        Instant now = Instant.now();
        KeyPair keys = rsa();
        X509Certificate c = cert("CN=wrong.example", keys, "CN=Test Devo CA", caKeys, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)),
                false, KeyPurposeId.id_kp_serverAuth, new String[] {"wrong.example"});
        return serverContext(keys, c);
    }

    private SSLContext serverContext(KeyPair keys, X509Certificate cert) throws Exception {
        return serverContext(keys, cert, caCert);
    }

    private SSLContext serverContext(KeyPair keys, X509Certificate cert, X509Certificate trusted) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", keys.getPrivate(), "x".toCharArray(), new X509Certificate[] {cert, caCert});
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", trusted);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "x".toCharArray());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048, RANDOM);
        return g.generateKeyPair();
    }

    private static X509Certificate cert(String subject, KeyPair subjectKeys, String issuer, KeyPair issuerKeys, Instant from, Instant to,
                                        boolean ca, KeyPurposeId purpose, String[] sans) throws Exception {
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(issuer), new BigInteger(64, RANDOM),
                Date.from(from), Date.from(to), new X500Name(subject), subjectKeys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (purpose != null) {
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        }
        if (sans != null) {
            GeneralName[] names = new GeneralName[sans.length];
            for (int i = 0; i < sans.length; i++) {
                names[i] = new GeneralName(sans[i].matches("[0-9.]+") ? GeneralName.iPAddress : GeneralName.dNSName, sans[i]);
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        }
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKeys.getPrivate())));
    }

    private static Object pkcs8(KeyPair keys) throws Exception {
        return new JcaPKCS8Generator(keys.getPrivate(), null);
    }

    private Path write(String name, Object pem) throws IOException {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(pem);
        }
        Path p = dir.resolve(name);
        Files.writeString(p, sw.toString());
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException ignored) {
            // not POSIX
        }
        return p;
    }

    /** Makes every folder up to {@code dir} traversable by other users. */
    public static void traversable(Path dir) {
        // rsyslog drops to nobody: every directory up to the files must be traversable
        for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
            try {
                var perms = Files.getPosixFilePermissions(p);
                perms.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
                Files.setPosixFilePermissions(p, perms);
            } catch (Exception ignored) {
                // best effort
            }
        }
    }
}
