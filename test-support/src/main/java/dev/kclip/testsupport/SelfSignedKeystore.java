package dev.kclip.testsupport;

import dev.kclip.common.http.TlsKeystore;
import dev.kclip.common.http.TlsTruststore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;

/** A keystore with a fresh self-signed certificate for localhost, made by the JDK's keytool, and a client trusting it. */
public final class SelfSignedKeystore {

    private static final String PASSWORD = "test-keystore-password";

    private SelfSignedKeystore() {
    }

    /** A new keystore in {@code dir} with a certificate for localhost and 127.0.0.1, valid two days. */
    public static TlsKeystore create(Path dir) throws IOException, InterruptedException {
        Path file = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", file.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD, "-noprompt")
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
        return new TlsKeystore(file, PASSWORD);
    }

    /** A TLS context that trusts exactly the certificate in {@code keystore}. */
    public static SSLContext trusting(TlsKeystore keystore) throws Exception {
        return new TlsTruststore(keystore.file(), keystore.password()).sslContext();
    }
}
