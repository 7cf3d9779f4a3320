package io.collector.jumpcloud.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyManagementException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Test certificates written as Devo's credentials page hands them out:
 * <ul>
 *   <li>{@code ca.pem}: the CA (Devo's "chain.crt"),</li>
 *   <li>{@code server.pem} + {@code server.key}: the relay, signed by the CA, SAN {@code DNS:localhost, IP:127.0.0.1},
 *       EKU serverAuth,</li>
 *   <li>{@code client.crt} + {@code client.key} (PKCS#8, {@code BEGIN PRIVATE KEY}): the domain's client certificate,
 *       signed by the CA, EKU clientAuth, CN {@code test-domain}.</li>
 * </ul>
 * plus, made on first use, the variants users run into (other key formats, an encrypted key, a key that does not
 * match, an expired certificate, a foreign CA, a relay certificate for another name).
 *
 * <p>RSA 2048 and SHA256withRSA throughout (the EC variant: P-256 key, still signed by the RSA CA). Every file is
 * 0644 and every folder up to it is traversable by others, because rsyslogd (see {@link RsyslogServer}) drops to
 * {@code nobody} and reads them.
 */
public final class TestPki {
    public static final String CA_SUBJECT = "CN=Test Devo CA,O=Test";
    public static final String CLIENT_SUBJECT = "CN=test-domain";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();
    private static final char[] STORE_PASSWORD = "changeit".toCharArray();

    private final Path dir;
    private final KeyPair caKeys;
    private final X509Certificate caCert;
    private final KeyPair serverKeys;
    private final X509Certificate serverCert;
    private final KeyPair clientKeys;
    private final X509Certificate clientCert;
    private final AtomicInteger encryptedKeys = new AtomicInteger();

    // variants, made on first use
    private Path clientKeyPkcs1;
    private Path clientKeyPkcs8;
    private Path[] ecClient;
    private Path mismatchedClientKey;
    private Path expiredClientCert;
    private Path[] foreign;
    private KeyPair wrongSanKeys;
    private X509Certificate wrongSanCert;
    private Path[] wrongSanFiles;

    private TestPki(Path dir) throws Exception {
        this.dir = dir.toAbsolutePath();
        Files.createDirectories(this.dir);
        Instant now = Instant.now();
        caKeys = rsa();
        caCert = cert(CA_SUBJECT, caKeys.getPublic(), null, caKeys, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(3650)),
                true, null);
        serverKeys = rsa();
        serverCert = cert("CN=localhost", serverKeys.getPublic(), caCert, caKeys, now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(365)), false, KeyPurposeId.id_kp_serverAuth, "localhost", "127.0.0.1");
        clientKeys = rsa();
        clientCert = cert(CLIENT_SUBJECT, clientKeys.getPublic(), caCert, caKeys, now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(365)), false, KeyPurposeId.id_kp_clientAuth);
        write("ca.pem", caCert);
        write("server.pem", serverCert);
        write("server.key", new JcaPKCS8Generator(serverKeys.getPrivate(), null));
        write("client.crt", clientCert);
        write("client.key", new JcaPKCS8Generator(clientKeys.getPrivate(), null));
        readableByOthers(this.dir);
    }

    /** Generates a new PKI into {@code dir} (created if missing). Takes well under a second. */
    public static TestPki create(Path dir) throws Exception {
        return new TestPki(dir);
    }

    private static TestPki shared;

    /** One PKI for all tests of this JVM, in a temporary folder. */
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

    /** The folder holding the files. */
    public Path dir() {
        return dir;
    }

    /** {@code ca.pem}: the CA certificate (Devo's chain.crt). */
    public Path ca() {
        return dir.resolve("ca.pem");
    }

    /** {@code server.pem}: the relay's certificate (SAN localhost, 127.0.0.1). */
    public Path serverCert() {
        return dir.resolve("server.pem");
    }

    /** {@code server.key}: the relay's key, PKCS#8. */
    public Path serverKey() {
        return dir.resolve("server.key");
    }

    /** {@code client.crt}: the client certificate, CN test-domain. */
    public Path clientCert() {
        return dir.resolve("client.crt");
    }

    /** {@code client.key}: the client key, unencrypted PKCS#8 ({@code BEGIN PRIVATE KEY}). */
    public Path clientKey() {
        return dir.resolve("client.key");
    }

    public X509Certificate caCertificate() {
        return caCert;
    }

    public X509Certificate clientCertificate() {
        return clientCert;
    }

    public X509Certificate serverCertificate() {
        return serverCert;
    }

    /** The client key as {@code BEGIN RSA PRIVATE KEY} (PKCS#1, "traditional OpenSSL"). */
    public synchronized Path clientKeyPkcs1() throws IOException {
        if (clientKeyPkcs1 == null) {
            clientKeyPkcs1 = write("client-pkcs1.key", clientKeys.getPrivate()); // JcaPEMWriter writes an RSA key as PKCS#1
        }
        return clientKeyPkcs1;
    }

    /** The client key as {@code BEGIN PRIVATE KEY} (PKCS#8), in a file of its own (same content as {@link #clientKey()}). */
    public synchronized Path clientKeyPkcs8() throws IOException {
        if (clientKeyPkcs8 == null) {
            clientKeyPkcs8 = write("client-pkcs8.key", new JcaPKCS8Generator(clientKeys.getPrivate(), null));
        }
        return clientKeyPkcs8;
    }

    /** An EC (P-256) client key as {@code BEGIN EC PRIVATE KEY} (SEC1); its certificate is {@link #clientCertEc()}. */
    public synchronized Path clientKeyEc() throws Exception {
        return ecClient()[1];
    }

    /** The client certificate (CN test-domain, clientAuth, signed by the CA) for {@link #clientKeyEc()}. */
    public synchronized Path clientCertEc() throws Exception {
        return ecClient()[0];
    }

    private Path[] ecClient() throws Exception {
        if (ecClient == null) {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            KeyPair keys = g.generateKeyPair();
            Instant now = Instant.now();
            X509Certificate c = cert(CLIENT_SUBJECT, keys.getPublic(), caCert, caKeys, now.minus(Duration.ofDays(1)),
                    now.plus(Duration.ofDays(365)), false, KeyPurposeId.id_kp_clientAuth);
            ecClient = new Path[] {write("client-ec.crt", c), write("client-ec.key", keys.getPrivate())}; // SEC1
        }
        return ecClient;
    }

    /**
     * The client key as encrypted PKCS#8 ({@code BEGIN ENCRYPTED PRIVATE KEY}; PBES2, PBKDF2 with HMAC-SHA256,
     * AES-256-CBC, as {@code openssl pkcs8 -topk8} writes it). Each call writes a new file.
     */
    public Path encryptedClientKey(String password) throws Exception {
        var enc = new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC).setProvider(BC)
                .setPRF(JceOpenSSLPKCS8EncryptorBuilder.PRF_HMACSHA256).setRandom(RANDOM)
                .setPassword(password.toCharArray()).build();
        return write("client-encrypted-" + encryptedKeys.incrementAndGet() + ".key",
                new JcaPKCS8Generator(clientKeys.getPrivate(), enc));
    }

    /**
     * The client key as legacy encrypted PKCS#1 ({@code BEGIN RSA PRIVATE KEY} with {@code Proc-Type: 4,ENCRYPTED},
     * {@code DEK-Info: AES-256-CBC}). Each call writes a new file.
     */
    public Path encryptedClientKeyPkcs1(String password) throws Exception {
        var enc = new JcePEMEncryptorBuilder("AES-256-CBC").setProvider(BC).setSecureRandom(RANDOM).build(password.toCharArray());
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(clientKeys.getPrivate(), enc);
        }
        return writeText("client-encrypted-pkcs1-" + encryptedKeys.incrementAndGet() + ".key", sw.toString());
    }

    /** A valid PKCS#8 RSA key that belongs to no certificate here. */
    public synchronized Path mismatchedClientKey() throws Exception {
        if (mismatchedClientKey == null) {
            mismatchedClientKey = write("client-mismatched.key", new JcaPKCS8Generator(rsa().getPrivate(), null));
        }
        return mismatchedClientKey;
    }

    /** A client certificate, signed by the CA, that expired yesterday; its key is {@link #clientKey()}. */
    public synchronized Path expiredClientCert() throws Exception {
        if (expiredClientCert == null) {
            Instant now = Instant.now();
            expiredClientCert = write("client-expired.crt", cert(CLIENT_SUBJECT, clientKeys.getPublic(), caCert, caKeys,
                    now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)), false, KeyPurposeId.id_kp_clientAuth));
        }
        return expiredClientCert;
    }

    /** A client certificate (CN test-domain, clientAuth) from a CA nobody here trusts. */
    public synchronized Path foreignClientCert() throws Exception {
        return foreign()[0];
    }

    /** The key of {@link #foreignClientCert()}, PKCS#8. */
    public synchronized Path foreignClientKey() throws Exception {
        return foreign()[1];
    }

    /** The foreign CA's certificate ({@code foreign-ca.pem}). */
    public synchronized Path foreignCa() throws Exception {
        return foreign()[2];
    }

    /** {@code [cert, key]} of {@link #foreignClientCert()}. */
    public synchronized Path[] foreignClient() throws Exception {
        return new Path[] {foreign()[0], foreign()[1]};
    }

    private Path[] foreign() throws Exception {
        if (foreign == null) {
            Instant now = Instant.now();
            KeyPair otherCaKeys = rsa();
            X509Certificate otherCa = cert("CN=Other CA,O=Elsewhere", otherCaKeys.getPublic(), null, otherCaKeys,
                    now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(365)), true, null);
            KeyPair keys = rsa();
            X509Certificate c = cert(CLIENT_SUBJECT, keys.getPublic(), otherCa, otherCaKeys, now.minus(Duration.ofDays(1)),
                    now.plus(Duration.ofDays(30)), false, KeyPurposeId.id_kp_clientAuth);
            foreign = new Path[] {write("foreign.crt", c), write("foreign.key", new JcaPKCS8Generator(keys.getPrivate(), null)),
                write("foreign-ca.pem", otherCa)};
        }
        return foreign;
    }

    /** A relay certificate signed by the trusted CA, but for {@code DNS:wrong.example} only. */
    public synchronized Path wrongSanServerCert() throws Exception {
        return wrongSan()[0];
    }

    /** The key of {@link #wrongSanServerCert()}, PKCS#8. */
    public synchronized Path wrongSanServerKey() throws Exception {
        return wrongSan()[1];
    }

    /** {@code [cert, key]} of {@link #wrongSanServerCert()}. */
    public synchronized Path[] wrongSanServer() throws Exception {
        return wrongSan().clone();
    }

    private Path[] wrongSan() throws Exception {
        if (wrongSanFiles == null) {
            Instant now = Instant.now();
            wrongSanKeys = rsa();
            wrongSanCert = cert("CN=wrong.example", wrongSanKeys.getPublic(), caCert, caKeys, now.minus(Duration.ofDays(1)),
                    now.plus(Duration.ofDays(30)), false, KeyPurposeId.id_kp_serverAuth, "wrong.example");
            wrongSanFiles = new Path[] {write("wrong-san.pem", wrongSanCert),
                write("wrong-san.key", new JcaPKCS8Generator(wrongSanKeys.getPrivate(), null))};
        }
        return wrongSanFiles;
    }

    /**
     * A server context for an in-process relay: the good relay certificate, trusting {@link #ca()}. Server sockets
     * from its factory and server-mode engines require a client certificate when {@code needClientAuth}
     * ({@code getDefaultSSLParameters().getNeedClientAuth()} tells which). TLS 1.2 and 1.3.
     */
    public SSLContext serverContext(boolean needClientAuth) throws Exception {
        return withClientAuth(context(serverKeys, new X509Certificate[] {serverCert, caCert}, caCert), needClientAuth);
    }

    /** A plain server context (client authentication is whatever the socket is told). */
    public SSLContext serverContext() throws Exception {
        return context(serverKeys, new X509Certificate[] {serverCert, caCert}, caCert);
    }

    /** The relay's good certificate, but trusting another CA only: it refuses our client certificate. */
    public SSLContext refusingServerContext() throws Exception {
        Instant now = Instant.now();
        KeyPair otherCaKeys = rsa();
        X509Certificate otherCa = cert("CN=Other CA,O=Elsewhere", otherCaKeys.getPublic(), null, otherCaKeys,
                now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)), true, null);
        return context(serverKeys, new X509Certificate[] {serverCert, caCert}, otherCa);
    }

    /** A relay with {@link #wrongSanServerCert()} (trusted CA, wrong name), trusting {@link #ca()}. */
    public synchronized SSLContext wrongSanServerContext() throws Exception {
        wrongSan();
        return context(wrongSanKeys, new X509Certificate[] {wrongSanCert, caCert}, caCert);
    }

    /** A client context from the in-memory client key and certificate, trusting {@link #ca()}. */
    public SSLContext clientContext() throws Exception {
        return context(clientKeys, new X509Certificate[] {clientCert, caCert}, caCert);
    }

    private static SSLContext context(KeyPair keys, X509Certificate[] chain, X509Certificate trusted) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("key", keys.getPrivate(), STORE_PASSWORD, chain);
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", trusted);
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, STORE_PASSWORD);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), RANDOM);
        return ctx;
    }

    /** Wraps {@code base} so that server sockets and engines it makes require (or not) a client certificate. */
    private static SSLContext withClientAuth(SSLContext base, boolean need) {
        SSLContextSpi spi = new SSLContextSpi() {
            @Override
            protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) throws KeyManagementException {
                base.init(km, tm, sr);
            }

            @Override
            protected SSLSocketFactory engineGetSocketFactory() {
                return base.getSocketFactory();
            }

            @Override
            protected SSLServerSocketFactory engineGetServerSocketFactory() {
                return new ClientAuthServerSocketFactory(base.getServerSocketFactory(), need);
            }

            @Override
            protected SSLEngine engineCreateSSLEngine() {
                return configure(base.createSSLEngine());
            }

            @Override
            protected SSLEngine engineCreateSSLEngine(String host, int port) {
                return configure(base.createSSLEngine(host, port));
            }

            private SSLEngine configure(SSLEngine e) {
                e.setNeedClientAuth(need);
                return e;
            }

            @Override
            protected SSLSessionContext engineGetServerSessionContext() {
                return base.getServerSessionContext();
            }

            @Override
            protected SSLSessionContext engineGetClientSessionContext() {
                return base.getClientSessionContext();
            }

            @Override
            protected SSLParameters engineGetDefaultSSLParameters() {
                SSLParameters p = base.getDefaultSSLParameters();
                p.setNeedClientAuth(need);
                return p;
            }

            @Override
            protected SSLParameters engineGetSupportedSSLParameters() {
                return base.getSupportedSSLParameters();
            }
        };
        return new SSLContext(spi, base.getProvider(), base.getProtocol()) { };
    }

    private static final class ClientAuthServerSocketFactory extends SSLServerSocketFactory {
        private final SSLServerSocketFactory base;
        private final boolean need;

        ClientAuthServerSocketFactory(SSLServerSocketFactory base, boolean need) {
            this.base = base;
            this.need = need;
        }

        private java.net.ServerSocket configure(java.net.ServerSocket s) {
            ((SSLServerSocket) s).setNeedClientAuth(need);
            return s;
        }

        @Override
        public java.net.ServerSocket createServerSocket() throws IOException {
            return configure(base.createServerSocket());
        }

        @Override
        public java.net.ServerSocket createServerSocket(int port) throws IOException {
            return configure(base.createServerSocket(port));
        }

        @Override
        public java.net.ServerSocket createServerSocket(int port, int backlog) throws IOException {
            return configure(base.createServerSocket(port, backlog));
        }

        @Override
        public java.net.ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
            return configure(base.createServerSocket(port, backlog, address));
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return base.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return base.getSupportedCipherSuites();
        }
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048, RANDOM);
        return g.generateKeyPair();
    }

    /** A certificate for {@code subjectKey}; self-signed when {@code issuer} is null. SANs: IPv4 literals or DNS names. */
    private static X509Certificate cert(String subject, java.security.PublicKey subjectKey, X509Certificate issuer, KeyPair issuerKeys,
                                        Instant from, Instant to, boolean ca, KeyPurposeId purpose, String... sans) throws Exception {
        X500Name issuerName = issuer == null ? new X500Name(subject) : X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded());
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName, new BigInteger(64, RANDOM).add(BigInteger.ONE),
                Date.from(from), Date.from(to), new X500Name(subject), subjectKey);
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        b.addExtension(Extension.keyUsage, true, ca ? new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign)
                : new KeyUsage("RSA".equals(subjectKey.getAlgorithm()) ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment
                : KeyUsage.digitalSignature));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(subjectKey));
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuerKeys.getPublic()));
        if (purpose != null) {
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        }
        if (sans.length > 0) {
            GeneralName[] names = new GeneralName[sans.length];
            for (int i = 0; i < sans.length; i++) {
                names[i] = new GeneralName(sans[i].matches("[0-9.]+") ? GeneralName.iPAddress : GeneralName.dNSName, sans[i]);
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
        }
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKeys.getPrivate())));
    }

    private Path write(String name, Object pemObject) throws IOException {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(pemObject);
        }
        return writeText(name, sw.toString());
    }

    private Path writeText(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
        return p;
    }

    /** Makes {@code dir} readable and traversable by others, and every folder above it traversable. */
    static void readableByOthers(Path dir) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
            if (perms.add(PosixFilePermission.OTHERS_READ) | perms.add(PosixFilePermission.OTHERS_EXECUTE)) {
                Files.setPosixFilePermissions(dir, perms);
            }
        } catch (Exception ignored) {
            // best effort
        }
        traversable(dir);
    }

    /** Makes every folder up to and including {@code dir} traversable by other users (o+x; only where it is missing). */
    public static void traversable(Path dir) {
        for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
            try {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(p);
                if (perms.add(PosixFilePermission.OTHERS_EXECUTE)) {
                    Files.setPosixFilePermissions(p, perms);
                }
            } catch (Exception ignored) {
                // best effort (not ours, or not POSIX)
            }
        }
    }
}
