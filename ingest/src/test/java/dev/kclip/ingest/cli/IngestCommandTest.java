package dev.kclip.ingest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kclip.common.cli.EnvironmentDefaults;
import dev.kclip.common.cli.UserException;
import dev.kclip.common.http.ListenSettings;
import dev.kclip.common.http.TlsKeystore;
import dev.kclip.ingest.IngestConfig;
import dev.kclip.ingest.http.HttpIntakeConfig;
import dev.kclip.ingest.image.OutputFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class IngestCommandTest {

    @TempDir
    Path dir;

    @Test
    void defaultsMatchTheIssue() {
        IngestConfig config = parse().config();
        assertEquals(256, config.images().maxSide());
        assertEquals(50_000_000L, config.images().maxPixels());
        assertEquals(OutputFormat.JPEG, config.images().outputFormat());
        assertEquals(0.90f, config.images().jpegQuality());
        assertEquals(1_000, config.maxCaptionChars());
        assertEquals(Duration.ofDays(7), config.dedupWindow());
        assertEquals("kclip-ingest", config.applicationId());
        assertNull(config.http());
    }

    @Test
    void withoutOptionsTheConfigIsIngestConfigDefaultsWhichTheEnvironmentOverrides() {
        assertEquals(IngestConfig.defaults(), parse().config(), "every default comes from IngestConfig.defaults()");
        IngestCommand command = new IngestCommand();
        CommandLine line = new CommandLine(command);
        line.setDefaultValueProvider(new EnvironmentDefaults(Map.of("KCLIP_MAX_SIDE", "64",
                "KCLIP_DEDUP_WINDOW", "2h", "KCLIP_OUTPUT_FORMAT", "PNG")));
        line.parseArgs("--max-side", "96");
        IngestConfig config = command.config();
        assertEquals(96, config.images().maxSide(), "the command line wins");
        assertEquals(Duration.ofHours(2), config.dedupWindow());
        assertEquals(OutputFormat.PNG, config.images().outputFormat());
        assertEquals(IngestConfig.defaults().maxCaptionChars(), config.maxCaptionChars());
    }

    @Test
    void optionsReachTheConfig() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "s3cret\n");
        IngestConfig config = parse("--http", "8088", "--http-token-file", token.toString(), "--http-max-body-mb", "2",
                "--max-side", "128", "--output-format", "PNG", "--jpeg-quality", "75", "--dedup-window", "12h",
                "--max-caption-chars", "77").config();
        assertEquals(8088, config.http().port());
        assertEquals("s3cret", config.http().token());
        assertEquals(2L * 1024 * 1024, config.http().maxBodyBytes());
        assertEquals(128, config.images().maxSide());
        assertEquals(OutputFormat.PNG, config.images().outputFormat());
        assertEquals(0.75f, config.images().jpegQuality());
        assertEquals(Duration.ofHours(12), config.dedupWindow());
        assertEquals(77, config.maxCaptionChars());
        assertEquals(-1, config.http().toString().indexOf("s3cret"), "the token is never printed");
    }

    @Test
    void theIntakeListensOnLoopbackUnlessToldAndTakesItsKeystorePasswordFromAFile() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "s3cret\n");
        IngestConfig local = parse("--http", "8088", "--http-token-file", token.toString()).config();
        assertEquals("127.0.0.1", local.http().listen().bind());
        assertNull(local.http().listen().tls());
        assertEquals(ListenSettings.DEFAULT_IDLE_TIMEOUT, local.http().listen().idleTimeout());

        Path keystore = Files.writeString(dir.resolve("keystore.p12"), "not read before the server starts");
        Path password = Files.writeString(dir.resolve("password"), "store-pass\n");
        HttpIntakeConfig http = parse("--http", "8443", "--http-token-file", token.toString(), "--http-bind", "0.0.0.0",
                "--http-idle-timeout", "5s", "--http-max-connections", "12", "--tls-keystore", keystore.toString(),
                "--tls-keystore-password-file", password.toString()).config().http();
        assertEquals(new ListenSettings("0.0.0.0", 8443, Duration.ofSeconds(5), 12, new TlsKeystore(keystore, "store-pass")),
                http.listen());
        assertEquals(-1, http.toString().indexOf("store-pass"), "the password is never printed");
        assertThrows(UserException.class, () -> parse("--http", "8443", "--http-token-file", token.toString(),
                "--tls-keystore-password-file", password.toString()).config());
    }

    @Test
    void mistakesAreExplained() {
        assertThrows(IllegalArgumentException.class, () -> parse("--jpeg-quality", "0").config());
        assertThrows(CommandLine.ParameterException.class, () -> parse("--dedup-window", "a week"));
        assertThrows(IllegalArgumentException.class, () -> parse("--max-side", "0").config());
    }

    private static IngestCommand parse(String... args) {
        IngestCommand command = new IngestCommand();
        CommandLine commandLine = new CommandLine(command);
        commandLine.setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.parseArgs(args);
        return command;
    }
}
