package dev.kclip.teacher.service;

import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.common.metrics.Health;
import dev.kclip.common.service.FailureWindow;
import dev.kclip.common.service.StageService;
import dev.kclip.schemas.Topics;
import dev.kclip.teacher.TeacherModel;
import dev.kclip.teacher.TeacherModels;
import dev.kclip.teacher.service.BatchRouting.Pending;
import dev.kclip.teacher.service.BatchRouting.Routed;
import dev.kclip.teacher.service.CaptionEmbedder.Admission;
import dev.kclip.teacher.service.CaptionEmbedder.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.CloseOptions.GroupMembershipOperation;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.FencedInstanceIdException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The teacher stage: reads {@code ImageCaptionPair}s, embeds their captions in micro-batches and writes
 * {@code EmbeddedPair}s, exactly once. Each batch is one Kafka transaction holding its output records, its dead
 * letters and the input offsets it consumed (consume-transform-produce), so after a crash, {@code kill -9}
 * included, the next instance resumes from the last committed batch and readers with {@code read_committed} see
 * every pair exactly once.
 *
 * <p>The forward passes run on a model thread of their own, one batch at a time: while the model embeds batch
 * {@code n + 1}, the service thread commits batch {@code n} and polls, decodes and tokenises the records after it
 * (each caption is tokenised once, on admission, and its ids go to the model). Transactions still follow one another
 * on the service thread, so when one aborts the batch behind it is dropped and read again too; a revoked partition's
 * batch in the model is committed before the partition goes.
 *
 * <p>Instances share the input's partitions through a consumer group. Batches are only built from records not yet
 * committed, so on a rebalance the buffered records of revoked partitions are dropped: their new owner reads them
 * again from the committed offsets. A transaction that fails is aborted and the instance re-reads from its committed
 * offsets: health DEGRADED after one aborted batch, DOWN when every batch aborts ({@link FailureWindow}: so many in a
 * row within its window; a committed batch clears the count); a fencing error (another process took this instance
 * id) or a teacher that embeds nothing stops it, with health DOWN.
 *
 * <p>Metrics (tag {@code instance}): {@code kclip.teacher.embedded}, {@code kclip.teacher.dead.letters{reason}},
 * {@code kclip.teacher.tokens}, {@code kclip.teacher.batch.captions}, {@code kclip.teacher.embed} (forward-pass
 * time), {@code kclip.teacher.transactions{result}}, {@code kclip.teacher.cache.reused/computed} and
 * {@code kclip.teacher.cache.hit.ratio}.
 */
public final class TeacherService implements StageService {

    public static final String STAGE = "teacher";
    private static final Logger LOG = LoggerFactory.getLogger(TeacherService.class);
    private static final long IDLE_POLL_MS = 200;
    /** Poll timeout while a batch is in the model, so its commit follows the forward pass closely. */
    private static final long IN_FLIGHT_POLL_MS = 2;

    /** A batch in the model: its records and the outcomes to come of those not rejected before it. */
    private record InFlight(List<Pending> batch, Future<List<Outcome>> outcomes) {
        /** The outcomes; a failure of the forward pass (a {@code TeacherFailure}, an Error) is rethrown as is. */
        List<Outcome> await() {
            try {
                return outcomes.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while the model embeds a batch", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
    }

    private final TeacherServiceConfig config;
    private final CaptionEmbedder embedder;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final MicroBatcher<Pending> batcher;
    private final BatchRouting routing;
    private final Metrics metrics;
    private final Thread thread;
    /** Runs the forward passes, so the service thread polls, decodes and commits while the model computes. */
    private final ExecutorService modelThread;
    /** The batch in the model: submitted, not yet committed; only the service thread touches it. */
    private InFlight inFlight;
    private final FailureWindow aborts;
    private volatile boolean stopping;
    private volatile boolean running = true;
    private volatile String failure;
    private volatile Set<TopicPartition> assigned = Set.of();

    private TeacherService(TeacherServiceConfig config, TeacherModel teacher, KafkaConnection kafka, MeterRegistry registry,
            FailureWindow.Policy failures) {
        this.config = config;
        this.aborts = new FailureWindow("aborted batches in a row", failures);
        this.embedder = new CaptionEmbedder(teacher, new EmbeddingCache(config.cacheBytes()));
        this.batcher = new MicroBatcher<>(config.maxBatchTokens(), config.maxBatchCaptions(), config.maxWait());
        // read_committed and no auto-commit whatever the user's client properties say
        Properties consumerProps = kafka.exactlyOnceConsumer(config.groupId());
        consumerProps.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        consumerProps.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        consumerProps.put(ConsumerConfig.CLIENT_ID_CONFIG, config.transactionalId());
        // static membership: a restarted instance takes its partitions back at once instead of waiting for the
        // dead one's session to time out; a clean close leaves the group so others take over immediately
        consumerProps.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, config.instanceId());
        consumerProps.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(config.maxBatchCaptions()));
        consumerProps.putIfAbsent(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, CooperativeStickyAssignor.class.getName());
        Properties producerProps = kafka.producer();
        producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        producerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, config.transactionalId());
        producerProps.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, Long.toString(config.transactionTimeout().toMillis()));
        producerProps.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        int maxRecordBytes = Integer.parseInt(producerProps.getProperty(ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                Integer.toString(1024 * 1024))) - Topics.RECORD_FRAMING_BYTES;
        this.routing = new BatchRouting(embedder, config.outputTopic(), config.deadLetterTopic(), maxRecordBytes);
        this.consumer = new KafkaConsumer<>(consumerProps);
        this.producer = new KafkaProducer<>(producerProps);
        this.metrics = new Metrics(registry, Tags.of("instance", config.instanceId()), embedder);
        this.thread = new Thread(this::run, "kclip-teacher-" + config.instanceId());
        this.modelThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "kclip-teacher-model-" + config.instanceId()));
    }

    /**
     * Loads the teacher and starts consuming on a background thread.
     *
     * @throws IllegalArgumentException when the model spec or options are wrong (nothing is started then)
     */
    public static TeacherService start(TeacherServiceConfig config, KafkaConnection kafka, MeterRegistry registry) {
        return start(config, kafka, registry, FailureWindow.Policy.DEFAULT);
    }

    /**
     * As {@link #start(TeacherServiceConfig, KafkaConnection, MeterRegistry)}, DOWN after {@code failures} aborted
     * batches in a row.
     */
    public static TeacherService start(TeacherServiceConfig config, KafkaConnection kafka, MeterRegistry registry,
            FailureWindow.Policy failures) {
        TeacherModel teacher = TeacherModels.load(config.modelSpec(), config.teacherOptions());
        TeacherService service;
        try {
            service = new TeacherService(config, teacher, kafka, registry, failures);
        } catch (RuntimeException e) {
            teacher.close();
            throw e;
        }
        LOG.info("teacher {} ({} dimensions) consuming {} as {} in group {}", teacher.modelId(), teacher.dimension(),
                config.inputTopic(), config.transactionalId(), config.groupId());
        service.thread.start();
        return service;
    }

    @Override
    public String name() {
        return STAGE;
    }

    @Override
    public Health health() {
        if (failure != null) {
            return Health.down(failure);
        }
        if (!running) {
            return Health.down("stopped");
        }
        return aborts.apply(Health.up(embedder.teacher().modelId() + ", partitions " + assigned));
    }

    /** False once the service stopped, by {@link #close()} or by a fatal error ({@link #failure()}). */
    public boolean isRunning() {
        return running;
    }

    /** Why the service stopped on its own, or null. */
    public String failure() {
        return failure;
    }

    /** The model id written into every record. */
    public String modelId() {
        return embedder.teacher().modelId();
    }

    /** Finishes the batch in hand (committing what was read), then closes the clients and the teacher. */
    @Override
    public void close() {
        stopping = true;
        if (thread.isAlive()) {
            consumer.wakeup();
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        try {
            producer.initTransactions();
            consumer.subscribe(List.of(config.inputTopic()), new Rebalance());
            while (!stopping) {
                long waitMs = Math.min(IDLE_POLL_MS, TimeUnit.NANOSECONDS.toMillis(batcher.nanosUntilDue(System.nanoTime())));
                if (inFlight != null) {
                    waitMs = Math.min(waitMs, IN_FLIGHT_POLL_MS);
                }
                try {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(waitMs))) {
                        intake(record);
                    }
                } catch (WakeupException e) {
                    continue;          // close() asked to stop: the loop condition ends it
                }
                // every due batch goes before the next poll, so the buffer stays within a poll and a batch
                while (batcher.isDue(System.nanoTime())) {
                    advance(true);
                }
                if (inFlight != null && inFlight.outcomes().isDone()) {
                    advance(false);
                }
            }
            while (inFlight != null || !batcher.isEmpty()) {
                advance(!batcher.isEmpty());
            }
        } catch (ProducerFencedException | FencedInstanceIdException e) {
            failure = "another process runs as instance '" + config.instanceId() + "' of group " + config.groupId()
                    + " (give each instance its own --instance-id): " + e.getMessage();
            LOG.error("teacher {} stopped: {}", config.instanceId(), failure);
        } catch (RuntimeException | Error e) {
            // an Error (out of memory, a native library that fails to load) is a failure too, not a clean stop
            failure = e.getClass().getSimpleName() + ": " + e.getMessage();
            LOG.error("teacher {} stopped: {}", config.instanceId(), failure, e);
            if (e instanceof Error error) {
                throw error;
            }
        } finally {
            // a forward pass still running must end before the teacher's native memory is released; a batch it
            // leaves uncommitted is read again by whoever owns its partitions next
            inFlight = null;
            modelThread.shutdown();
            awaitQuietly(modelThread);
            closeQuietly(() -> consumer.close(CloseOptions.groupMembershipOperation(GroupMembershipOperation.LEAVE_GROUP)));
            closeQuietly(() -> producer.close(Duration.ofSeconds(5)));
            closeQuietly(embedder.teacher()::close);
            running = false;
        }
    }

    private void intake(ConsumerRecord<byte[], byte[]> record) {
        Pending pending = routing.intake(record);
        batcher.add(pending, pending.tokens(), System.nanoTime());
    }

    /**
     * Waits for the batch in the model (if any), gives the model the next batch (when {@code next}), then commits the
     * finished batch: its transaction overlaps the next forward pass. One batch is in the model at a time and the
     * transactions follow one another on this thread, batch after batch; when one aborts, the batch behind it is
     * dropped with the buffered records and everything is read again from the committed offsets.
     */
    private void advance(boolean next) {
        InFlight done = inFlight;
        List<Outcome> outcomes = done == null ? null : done.await();
        inFlight = next ? submit(batcher.take()) : null;
        if (done != null && !commit(done.batch(), outcomes)) {
            discardInFlight();
            rewind();
        }
    }

    /** Starts the forward pass of {@code batch} on the model thread. */
    private InFlight submit(List<Pending> batch) {
        List<Admission> toEmbed = batch.stream().filter(p -> p.rejected() == null).map(Pending::admission).toList();
        return new InFlight(batch, modelThread.submit(() -> {
            long started = System.nanoTime();
            List<Outcome> outcomes = embedder.embedAdmitted(toEmbed);
            metrics.embed.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            return outcomes;
        }));
    }

    /** Waits for the batch in the model and drops it: its records will be read again. */
    private void discardInFlight() {
        if (inFlight != null) {
            inFlight.await();
            inFlight = null;
        }
    }

    /**
     * Commits a batch's outputs, dead letters and offsets in one transaction ({@code outcomes}: those of its records
     * not rejected before the model, in order).
     *
     * @return false when the transaction was aborted
     */
    private boolean commit(List<Pending> batch, List<Outcome> outcomes) {
        Routed routed = routing.route(batch, outcomes, Instant.now());
        try {
            producer.beginTransaction();
            routed.records().forEach(producer::send);
            producer.sendOffsetsToTransaction(routed.offsets(), consumer.groupMetadata());
            producer.commitTransaction();
        } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException | UnsupportedVersionException e) {
            throw e;        // fatal for this producer: another instance owns the id, or the cluster refuses us
        } catch (KafkaException e) {
            if (fencedBy(e)) {
                // with transactions v2 (Kafka 4) a producer fenced mid-commit may see an invalid transaction state instead
                throw new ProducerFencedException(e.getMessage());
            }
            LOG.warn("teacher {}: transaction of {} records aborted, re-reading from the committed offsets: {}",
                    config.instanceId(), batch.size(), e.getMessage());
            producer.abortTransaction();
            metrics.aborted.increment();
            aborts.failed(e.toString());
            return false;
        }
        metrics.committed.increment();
        aborts.succeeded();
        metrics.embedded.increment(routed.embedded());
        metrics.tokens.increment(routed.tokens());
        metrics.batchCaptions.record(outcomes.size());
        routed.rejected().forEach((reason, count) -> metrics.deadLetters.get(reason).increment(count));
        return true;
    }

    /** After an abort: forget the buffered records and read again from the last committed offsets. */
    private void rewind() {
        batcher.drain();
        Set<TopicPartition> partitions = consumer.assignment();
        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(partitions);
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata offset = committed.get(tp);
            if (offset == null) {
                consumer.seekToBeginning(List.of(tp));
            } else {
                consumer.seek(tp, offset);
            }
        }
    }

    /** Buffered records of partitions this instance no longer owns are dropped: their new owner re-reads them. */
    private final class Rebalance implements ConsumerRebalanceListener {
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            if (inFlight != null && inFlight.batch().stream().anyMatch(p -> partitions.contains(p.partition()))) {
                // its offsets must be committed while this instance still owns the partitions
                advance(false);
            }
            batcher.removeIf(p -> partitions.contains(p.partition()));
            assigned = Set.copyOf(consumer.assignment());
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            onPartitionsRevoked(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            assigned = Set.copyOf(consumer.assignment());
            LOG.info("teacher {} now owns {}", config.instanceId(), assigned);
        }
    }

    /** Whether a failed transaction means that another producer with our transactional id took over. */
    private static boolean fencedBy(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidTxnStateException) {
                return true;
            }
        }
        return false;
    }

    private static void awaitQuietly(ExecutorService executor) {
        try {
            if (!executor.awaitTermination(1, TimeUnit.MINUTES)) {
                LOG.warn("the teacher's forward pass did not end within a minute of the stop");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Runnable close) {
        try {
            close.run();
        } catch (RuntimeException e) {
            LOG.warn("error while closing: {}", e.toString());
        }
    }

    /** The service's meters. */
    private static final class Metrics {
        final Counter embedded;
        final Counter tokens;
        final Counter committed;
        final Counter aborted;
        final DistributionSummary batchCaptions;
        final Timer embed;
        final Map<RejectReason, Counter> deadLetters = new EnumMap<>(RejectReason.class);

        Metrics(MeterRegistry registry, Tags tags, CaptionEmbedder embedder) {
            embedded = Counter.builder("kclip.teacher.embedded").description("pairs written with their embedding")
                    .tags(tags).register(registry);
            tokens = Counter.builder("kclip.teacher.tokens").description("tokens of the embedded captions")
                    .tags(tags).register(registry);
            committed = Counter.builder("kclip.teacher.transactions").tag("result", "committed").tags(tags).register(registry);
            aborted = Counter.builder("kclip.teacher.transactions").tag("result", "aborted").tags(tags).register(registry);
            batchCaptions = DistributionSummary.builder("kclip.teacher.batch.captions")
                    .description("captions per batch sent to the model").tags(tags).register(registry);
            embed = Timer.builder("kclip.teacher.embed").description("time to embed one batch").tags(tags).register(registry);
            for (RejectReason reason : RejectReason.values()) {
                deadLetters.put(reason, Counter.builder("kclip.teacher.dead.letters").tag("reason", reason.name())
                        .tags(tags).register(registry));
            }
            FunctionCounter.builder("kclip.teacher.cache.reused", embedder, CaptionEmbedder::reused)
                    .description("captions embedded without a forward pass (cache hit or duplicate in the batch)")
                    .tags(tags).register(registry);
            FunctionCounter.builder("kclip.teacher.cache.computed", embedder, CaptionEmbedder::computed)
                    .description("captions the teacher computed").tags(tags).register(registry);
            Gauge.builder("kclip.teacher.cache.hit.ratio", embedder, CaptionEmbedder::hitRate)
                    .description("reused / (reused + computed)").tags(tags).register(registry);
        }
    }
}
