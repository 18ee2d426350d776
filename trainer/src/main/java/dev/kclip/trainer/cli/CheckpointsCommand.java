package dev.kclip.trainer.cli;

import dev.kclip.common.cli.KafkaOptions;
import dev.kclip.common.cli.UserException;
import dev.kclip.common.http.BearerToken;
import dev.kclip.common.http.TlsTruststore;
import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.common.kafka.TopicReader;
import dev.kclip.common.service.StopSignal;
import dev.kclip.schemas.CheckpointEvent;
import dev.kclip.schemas.Topics;
import dev.kclip.trainer.checkpoint.CheckpointEvents;
import dev.kclip.trainer.checkpoint.CheckpointFollower;
import dev.kclip.trainer.checkpoint.CheckpointManifest;
import dev.kclip.trainer.checkpoint.CheckpointServer;
import dev.kclip.trainer.checkpoint.CheckpointStore;
import dev.kclip.trainer.checkpoint.CheckpointSubscriber;
import dev.kclip.trainer.checkpoint.HttpCheckpointClient;
import dev.kclip.trainer.checkpoint.HuggingFaceExport;
import dev.kclip.trainer.checkpoint.SigningKey;
import dev.kclip.trainer.checkpoint.StoredCheckpoint;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kclip checkpoints}: the trainer's checkpoints. */
@Command(name = "checkpoints", mixinStandardHelpOptions = true,
        description = "List, follow, serve and export the trainer's checkpoints.",
        subcommands = {CheckpointsCommand.ListCommand.class, CheckpointsCommand.FollowCommand.class,
            CheckpointsCommand.ServeCommand.class, CheckpointsCommand.ExportCommand.class})
public final class CheckpointsCommand {

    /** {@code kclip checkpoints list}. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List checkpoints: those of a store directory, verified, or else those announced on kclip.model.checkpoints.")
    static final class ListCommand implements Callable<Integer> {

        @Mixin
        KafkaOptions kafka;

        @Option(names = "--store", paramLabel = "DIR", description = "A checkpoint store to list and verify, instead of the topic.")
        Path store;

        @Override
        public Integer call() {
            if (store != null) {
                if (!Files.isDirectory(store)) {
                    throw new UserException("no checkpoint store at " + store);
                }
                System.out.println("version      step   consumed    trained  verified  created                   metrics");
                for (CheckpointStore.Verification v : new CheckpointStore(store, Integer.MAX_VALUE).verifyAll()) {
                    CheckpointManifest m = v.manifest();
                    if (m == null) {
                        System.out.printf(Locale.ROOT, "%-10s  %s%n", v.directory().getFileName(), "DAMAGED: " + v.problem());
                        continue;
                    }
                    System.out.printf(Locale.ROOT, "%7d %9d %10d %10d  %-8s  %-24s  %s%n", m.version(), m.step(),
                            m.examplesConsumed(), m.examplesTrained(), v.ok() ? "yes" : "NO", m.createdTime(),
                            v.ok() ? summary(m.metrics()) : v.problem());
                }
                return 0;
            }
            KafkaConnection connection = kafka.connection();
            System.out.println("run                  version      step   consumed  created                   location");
            TopicReader.read(connection, Topics.CHECKPOINTS.name(), true, Long.MAX_VALUE, Duration.ofSeconds(2), record -> {
                if (record.value() != null) {
                    CheckpointEvent e = CheckpointEvents.decode(record.topic(), record.value());
                    System.out.printf(Locale.ROOT, "%-20s %7d %9d %10d  %-24s  %s%n", e.getRunId(), e.getVersion(),
                            e.getStep(), e.getExamplesConsumed(), e.getCreatedTime(), e.getLocation());
                }
                return true;
            });
            return 0;
        }
    }

    /** {@code kclip checkpoints follow}. */
    @Command(name = "follow", mixinStandardHelpOptions = true,
            description = "Copy each new checkpoint into DIR, verify it, and switch DIR/latest to it, until Ctrl-C.")
    static final class FollowCommand implements Callable<Integer> {

        /** How often a checkpoint whose fetch failed part-way is tried again. */
        private static final Duration RETRY_EVERY = Duration.ofSeconds(15);

        @Mixin
        KafkaOptions kafka;

        @Option(names = "--to", required = true, paramLabel = "DIR", description = "Where copies and the latest link go.")
        Path to;

        @Option(names = "--run-id", paramLabel = "ID", description = "Follow only this run (default: every run).")
        String runId;

        @Option(names = "--from", paramLabel = "DIR|URL",
                description = "The trainer's checkpoint store as this machine sees it, a directory or the URL of its"
                        + " server (http(s)://host:port/): an announced checkpoint elsewhere is refused (default:"
                        + " a version directory anywhere).")
        String from;

        @Option(names = "--token-file", paramLabel = "FILE",
                description = "File holding the checkpoint server's bearer token (default: $" + CheckpointServer.TOKEN_ENV + ").")
        Path tokenFile;

        @Option(names = "--truststore", paramLabel = "FILE",
                description = "Trust the HTTPS checkpoint server's certificate in this PKCS#12 (or JKS) store, e.g. the"
                        + " server's keystore for a self-signed one (default: the JDK's authorities).")
        Path truststore;

        @Option(names = "--truststore-password-file", paramLabel = "FILE",
                description = "File holding the truststore's password (default: $" + TlsTruststore.PASSWORD_ENV + ").")
        Path truststorePasswordFile;

        @Option(names = "--max-version-jump", paramLabel = "N",
                description = "Refuse a version more than N ahead of the installed one (default: ${DEFAULT-VALUE}).")
        long maxVersionJump = CheckpointFollower.Policy.DEFAULT.maxVersionJump();

        @Option(names = "--signing-key-file", paramLabel = "FILE",
                description = "Install only checkpoints whose manifest is signed with the key in FILE (the trainer's"
                        + " --signing-key-file); default: unsigned ones too.")
        Path signingKeyFile;

        @Override
        public Integer call() throws IOException {
            if (maxVersionJump < 1) {
                throw new UserException("--max-version-jump must be at least 1, not " + maxVersionJump);
            }
            boolean fromServer = from != null && from.matches("(?i)https?://.*");
            if (from != null && !fromServer && !Files.isDirectory(Path.of(from))) {
                throw new UserException("--from " + from + " is not a directory nor an http(s):// URL");
            }
            CheckpointFollower follower = new CheckpointFollower(to, new CheckpointFollower.Policy(
                    from == null || fromServer ? null : Path.of(from), fromServer ? URI.create(from) : null,
                    maxVersionJump, signingKeyFile == null ? null : signingKey(signingKeyFile)), httpClient());
            StopSignal signal = StopSignal.onJvmShutdown("checkpoint-follower", Duration.ofSeconds(10));
            try (CheckpointSubscriber subscriber = CheckpointSubscriber.start(kafka.connection(), runId, event -> {
                if (follower.accept(event)) {
                    System.out.printf(Locale.ROOT, "%s version %d (step %d) -> %s%n", event.getRunId(),
                            event.getVersion(), event.getStep(), to.resolve(CheckpointFollower.LATEST));
                    System.out.flush();
                }
            })) {
                System.out.printf("following %s into %s; Ctrl-C stops%n", Topics.CHECKPOINTS.name(), to.toAbsolutePath());
                System.out.flush();
                while (!signal.awaitStop(RETRY_EVERY)) {
                    // the subscriber's thread does the work; a fetch cut off is resumed here
                    if (follower.retryUnfinished()) {
                        System.out.printf(Locale.ROOT, "version %d (resumed) -> %s%n", follower.installedVersion(),
                                to.resolve(CheckpointFollower.LATEST));
                        System.out.flush();
                    }
                }
            } finally {
                signal.finished();
            }
            return 0;
        }

        private HttpCheckpointClient httpClient() throws IOException {
            SSLContext tls = null;
            if (truststore != null) {
                try {
                    tls = TlsTruststore.of(truststore, truststorePasswordFile, System.getenv()).sslContext();
                } catch (IOException | IllegalArgumentException e) {
                    throw new UserException("cannot use --truststore " + truststore + ": " + e.getMessage(), e);
                }
            } else if (truststorePasswordFile != null) {
                throw new UserException("--truststore-password-file needs --truststore FILE");
            }
            return new HttpCheckpointClient(BearerToken.read(tokenFile, CheckpointServer.TOKEN_ENV, System.getenv()), tls);
        }
    }

    /** {@code kclip checkpoints serve}. */
    @Command(name = "serve", mixinStandardHelpOptions = true,
            description = "Serve a checkpoint store over HTTP(S) to followers on machines that share no disk with it,"
                    + " until Ctrl-C (the trainer does the same with --serve-checkpoints PORT).")
    static final class ServeCommand implements Callable<Integer> {

        @Option(names = "--dir", paramLabel = "DIR", description = "The checkpoint store (default: ${DEFAULT-VALUE}).")
        Path dir = TrainCommand.DEFAULT_CHECKPOINT_DIR;

        @Option(names = "--port", paramLabel = "PORT", description = "0 picks a free one (default: ${DEFAULT-VALUE}).")
        int port = CheckpointServer.DEFAULT_PORT;

        @Mixin
        CheckpointServingOptions serving;

        @Override
        public Integer call() {
            if (!Files.isDirectory(dir)) {
                throw new UserException("no checkpoint store at " + dir);
            }
            StopSignal signal = StopSignal.onJvmShutdown("checkpoint-server", Duration.ofSeconds(10));
            try (CheckpointServer server = serving.start(dir, port, System.getenv())) {
                System.out.printf("serving checkpoints of %s at %s (bound to %s); Ctrl-C stops%n", dir.toAbsolutePath(),
                        CheckpointServingOptions.advertised(server), server.address());
                System.out.flush();
                while (!signal.awaitStop(Duration.ofSeconds(1))) {
                    // Jetty's threads serve
                }
            } finally {
                signal.finished();
            }
            return 0;
        }
    }

    /** {@code kclip checkpoints export}. */
    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Export a checkpoint as safetensors with a Hugging Face CLIPModel config.json.")
    static final class ExportCommand implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "VERSION|DIR", description = "A version of the store, or a checkpoint directory.")
        String checkpoint;

        @Option(names = "--store", paramLabel = "DIR",
                description = "The checkpoint store VERSION refers to (default: ${DEFAULT-VALUE}).")
        Path store = TrainCommand.DEFAULT_CHECKPOINT_DIR;

        @Option(names = "--to", required = true, paramLabel = "DIR", description = "Where to write the export.")
        Path to;

        @Option(names = "--format", defaultValue = "safetensors", paramLabel = "FORMAT", description = "Only safetensors (default).")
        String format;

        @Override
        public Integer call() throws IOException {
            if (!format.equals("safetensors")) {
                throw new UserException("unknown export format '" + format + "'; only safetensors is supported");
            }
            StoredCheckpoint stored = resolve(checkpoint, store);
            for (Path file : HuggingFaceExport.export(stored, to)) {
                System.out.println(file);
            }
            return 0;
        }
    }

    private static SigningKey signingKey(Path file) {
        try {
            return SigningKey.read(file);
        } catch (IOException e) {
            throw new UserException("cannot use signing key " + file + ": " + e.getMessage());
        }
    }

    /**
     * A verified checkpoint named by a version of {@code store} or by its directory: a version directory, or a
     * link to one beside it (the follower's {@code latest}); a link elsewhere is refused.
     */
    static StoredCheckpoint resolve(String checkpoint, Path store) {
        Path dir;
        if (checkpoint.matches("\\d+")) {
            dir = store.resolve(CheckpointStore.directoryName(Long.parseLong(checkpoint)));
        } else {
            dir = Path.of(checkpoint);
        }
        if (!Files.isDirectory(dir)) {
            throw new UserException("no checkpoint at " + dir);
        }
        CheckpointStore.Verification v = CheckpointStore.verify(resolveLink(dir));
        if (!v.ok()) {
            throw new UserException("checkpoint " + dir + " is damaged: " + v.problem());
        }
        return v.checkpoint();
    }

    /** Follows a {@code latest} link to the version directory it names beside it. */
    private static Path resolveLink(Path dir) {
        try {
            return CheckpointStore.resolveDirectory(dir);
        } catch (IOException e) {
            throw new UserException("cannot read checkpoint " + dir + ": " + e.getMessage());
        }
    }

    private static String summary(Map<String, Double> metrics) {
        StringBuilder s = new StringBuilder();
        metrics.forEach((name, value) -> {
            if (!name.equals("examples")) {
                s.append(name).append('=').append(String.format(Locale.ROOT, "%.3f", value)).append(' ');
            }
        });
        return s.toString().trim();
    }
}
