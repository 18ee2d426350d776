package dev.kclip.trainer.loop;

import dev.kclip.common.deadletter.DeadLetters;
import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.common.metrics.ServiceEndpoints;
import dev.kclip.common.service.StageService;
import dev.kclip.common.service.StopSignal;
import dev.kclip.schemas.LabelledPair;
import dev.kclip.schemas.Topics;
import dev.kclip.schemas.serde.AvroSerde;
import dev.kclip.schemas.serde.RecordDecodingException;
import dev.kclip.trainer.checkpoint.CheckpointEvents;
import dev.kclip.trainer.checkpoint.CheckpointManifest;
import dev.kclip.trainer.checkpoint.CheckpointStore;
import dev.kclip.trainer.checkpoint.StoredCheckpoint;
import dev.kclip.trainer.data.Examples;
import dev.kclip.trainer.data.HeldOutSplit;
import dev.kclip.trainer.data.InvalidExampleException;
import dev.kclip.trainer.data.ReplayReservoir;
import dev.kclip.trainer.data.TrainingExample;
import dev.kclip.trainer.eval.EvalExample;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.DoubleAdder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The continuous trainer: reads {@code kclip.train.examples} (read_committed), trains the student batch by batch,
 * and writes checkpoints that record the weights together with the offsets they include.
 *
 * <ul>
 *   <li>Start: the newest verified checkpoint of the store is loaded (damaged ones are skipped and logged) and the
 *       consumer sought to its offsets; with none, the model is built from the first example (teacher dimension,
 *       K) and the topic read from its beginning.</li>
 *   <li>Records that cannot be trained on go to {@code kclip.pairs.dlq} with a reason code; a share of ids is
 *       held out for evaluation and never trained.</li>
 *   <li>A batch is trained when {@code freshPerBatch} examples wait or the oldest has waited {@code maxWait}; the
 *       rest of the batch is replayed from a reservoir of past examples. While the stream is idle, replay-only
 *       steps run up to a budget.</li>
 *   <li>Every N steps or T seconds, and at shutdown: a checkpoint (with evaluation on the held-out examples), a
 *       {@code CheckpointEvent}, and the offsets committed to the group for lag monitoring. Training resumes
 *       from the checkpoint's offsets, not the group's.</li>
 * </ul>
 * Everything runs on one background thread, which owns the model.
 */
public final class TrainerService implements StageService {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerService.class);
    private static final String STAGE = "trainer";
    private static final AvroSerde<LabelledPair> SERDE = new AvroSerde<>(LabelledPair.class);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final Duration RESEED_WAIT = Duration.ofSeconds(2);

    private final TrainerConfig config;
    private final KafkaConnection kafka;
    private final TrainingListener listener;
    private final StopSignal stop = new StopSignal();
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicReference<String> status = new AtomicReference<>("starting");

    private final Counter consumedCounter;
    private final Counter trainedCounter;
    private final Counter replayedCounter;
    private final Counter heldOutCounter;
    private final Counter deadLetterCounter;
    private final Timer stepTimer;
    private final Map<String, DoubleAdder> lastLoss = new HashMap<>();
    private final DoubleAdder checkpointVersion = new DoubleAdder();

    // state owned by the training thread
    private CheckpointStore store;
    private TrainingSession session;
    private ConceptTracker concepts;
    private PendingExamples pending;
    private ReplayReservoir<TrainingExample> reservoir;
    private final Deque<TrainingExample> heldOutExamples = new ArrayDeque<>();
    private HeldOutSplit split;
    private String teacherModelId;
    private long examplesConsumed;
    private long examplesTrained;
    private long examplesHeldOut;
    private long deadLettered;
    private long stepsSinceCheckpoint;
    private long lastCheckpointNanos;
    private final Map<String, double[]> lossSums = new LinkedHashMap<>();
    private Map<String, Long> checkpointedOffsets = Map.of();

    private TrainerService(TrainerConfig config, KafkaConnection kafka, MeterRegistry registry, TrainingListener listener) {
        this.config = config;
        this.kafka = kafka;
        this.listener = listener;
        this.consumedCounter = Counter.builder("kclip.trainer.examples.consumed").register(registry);
        this.trainedCounter = Counter.builder("kclip.trainer.examples.trained").register(registry);
        this.replayedCounter = Counter.builder("kclip.trainer.examples.replayed").register(registry);
        this.heldOutCounter = Counter.builder("kclip.trainer.examples.held_out").register(registry);
        this.deadLetterCounter = Counter.builder("kclip.trainer.dead_letters").register(registry);
        this.stepTimer = Timer.builder("kclip.trainer.step").register(registry);
        for (String term : List.of("embedding", "concept", "contrastive", "total")) {
            DoubleAdder value = new DoubleAdder();
            lastLoss.put(term, value);
            registry.gauge("kclip.trainer.loss", Tags.of("term", term), value, DoubleAdder::sum);
        }
        registry.gauge("kclip.trainer.checkpoint.version", checkpointVersion, DoubleAdder::sum);
        this.thread = new Thread(this::run, "kclip-trainer-" + config.runId());
    }

    /** Starts training on a background thread. */
    public static TrainerService start(TrainerConfig config, KafkaConnection kafka, MeterRegistry registry) {
        return start(config, kafka, registry, TrainingListener.NONE);
    }

    /** Starts training, telling {@code listener} of every step and checkpoint. */
    public static TrainerService start(TrainerConfig config, KafkaConnection kafka, MeterRegistry registry,
            TrainingListener listener) {
        TrainerService service = new TrainerService(config, kafka, registry, listener);
        service.thread.start();
        return service;
    }

    @Override
    public String name() {
        return STAGE;
    }

    @Override
    public ServiceEndpoints.Health health() {
        Throwable t = failure.get();
        if (t != null) {
            return ServiceEndpoints.Health.down("failed: " + t);
        }
        return thread.isAlive() ? ServiceEndpoints.Health.up(status.get()) : ServiceEndpoints.Health.down("stopped");
    }

    /** The error that stopped the training thread, if one did. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    /** Waits until the training thread has ended (after {@link #close}, or a failure). */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        thread.join(timeout.toMillis());
        return !thread.isAlive();
    }

    /** Stops after the current step and writes a final checkpoint. Idempotent. */
    @Override
    public void close() {
        stop.stop();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties())) {
            store = new CheckpointStore(config.checkpoints().directory(), config.checkpoints().keep());
            split = new HeldOutSplit(config.heldOut().share());
            reservoir = new ReplayReservoir<>(config.replay().capacity(), new Random(config.training().seed()));
            Map<String, Long> startOffsets = restore();
            List<TopicPartition> partitions = partitions(consumer);
            if (partitions.isEmpty()) {
                status.set("stopped");
                return;
            }
            consumer.assign(partitions);
            for (TopicPartition tp : partitions) {
                Long offset = startOffsets.get(CheckpointManifest.offsetKey(tp.topic(), tp.partition()));
                if (offset != null) {
                    consumer.seek(tp, offset);
                } else {
                    consumer.seekToBeginning(List.of(tp));
                }
            }
            pending = new PendingExamples(startOffsets);
            checkpointedOffsets = pending.safeOffsets();
            lastCheckpointNanos = System.nanoTime();
            try (CentroidReseeds reseeds = CentroidReseeds.open(kafka, Topics.CENTROIDS.name())) {
                loop(consumer, producer, reseeds);
            }
            // at shutdown: a last checkpoint when anything moved since the previous one
            if (session != null && (stepsSinceCheckpoint > 0 || !pending.safeOffsets().equals(checkpointedOffsets))) {
                checkpoint(consumer, producer);
            }
            status.set("stopped");
        } catch (Throwable t) {
            failure.set(t);
            status.set("failed");
            LOG.error("trainer {} stopped: {}", config.runId(), t.toString(), t);
        } finally {
            if (session != null) {
                session.close();
            }
            stop.finished();
        }
    }

    private void loop(KafkaConsumer<byte[], byte[]> consumer, KafkaProducer<byte[], byte[]> producer,
            CentroidReseeds reseeds) throws Exception {
        long lastRecordNanos = System.nanoTime();
        int idleSteps = 0;
        long maxWait = config.batching().maxWait().toNanos();
        long idleAfter = config.replay().idleAfter().toNanos();
        while (!stop.isStopRequested()) {
            int received = 0;
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                accept(record, producer);
                received++;
            }
            long now = System.nanoTime();
            if (received > 0) {
                lastRecordNanos = now;
                idleSteps = 0;
            }
            if (reseeds != null) {
                reseeds.poll(Duration.ZERO);
            }
            while (pending.size() >= config.freshPerBatch()
                    || (pending.size() > 0 && pending.oldestWaitNanos(System.nanoTime()) >= maxWait)) {
                trainBatch(pending.take(config.freshPerBatch()), reseeds);
                if (checkpointDue()) {
                    checkpoint(consumer, producer);
                }
                if (stop.isStopRequested()) {
                    return;
                }
            }
            // idle: this poll brought nothing, nothing waits, and nothing has arrived for idleAfter
            boolean idle = received == 0 && pending.size() == 0 && System.nanoTime() - lastRecordNanos >= idleAfter;
            if (idle && session != null && idleSteps < config.replay().idleBudgetSteps() && reservoir.size() >= 2) {
                trainBatch(List.of(), reseeds);
                idleSteps++;
            }
            if (checkpointDue()) {
                checkpoint(consumer, producer);
            }
        }
    }

    /** Validates one record: dead letter, held out, or pending for training. */
    private void accept(ConsumerRecord<byte[], byte[]> record, KafkaProducer<byte[], byte[]> producer) {
        examplesConsumed++;
        consumedCounter.increment();
        TrainingExample.Source source = new TrainingExample.Source(record.topic(), record.partition(), record.offset());
        TrainingExample example;
        try {
            if (record.value() == null) {
                throw new InvalidExampleException(InvalidExampleException.BAD_RECORD, "record has no value", null);
            }
            LabelledPair pair;
            try {
                pair = SERDE.deserialize(record.topic(), record.value());
            } catch (RecordDecodingException e) {
                throw new InvalidExampleException(InvalidExampleException.BAD_RECORD, e.getMessage(), null);
            }
            example = Examples.fromRecord(pair, config.heldOut().labelField(), source);
            checkTeacher(example);
        } catch (InvalidExampleException e) {
            deadLetter(record, e, producer);
            pending.resolved(record.topic(), record.partition(), record.offset());
            return;
        }
        if (split.isHeldOut(example.id())) {
            examplesHeldOut++;
            heldOutCounter.increment();
            heldOutExamples.addLast(example);
            while (heldOutExamples.size() > config.heldOut().capacity()) {
                heldOutExamples.removeFirst();
            }
            pending.resolved(record.topic(), record.partition(), record.offset());
            return;
        }
        if (session == null) {
            startSession(example);
        }
        pending.add(example, System.nanoTime());
    }

    private void checkTeacher(TrainingExample example) throws InvalidExampleException {
        if (teacherModelId != null && !teacherModelId.equals(example.teacherModelId())) {
            throw new InvalidExampleException(InvalidExampleException.TEACHER_MISMATCH, "embedded by "
                    + example.teacherModelId() + " but this run distils from " + teacherModelId, example.id());
        }
        int teacherDim = session != null ? session.model().config().teacherDim() : config.model().teacherDim();
        if (teacherDim > 0 && example.teacher().length != teacherDim) {
            throw new InvalidExampleException(InvalidExampleException.TEACHER_MISMATCH, "teacher vector has "
                    + example.teacher().length + " values, the model's W_e expects " + teacherDim, example.id());
        }
    }

    private void startSession(TrainingExample first) {
        teacherModelId = first.teacherModelId();
        int teacherDim = config.model().teacherDim() > 0 ? config.model().teacherDim() : first.teacher().length;
        int k = config.model().conceptCount() > 0 ? config.model().conceptCount() : first.conceptCount();
        session = TrainingSession.create(config.model().withData(teacherDim, k), config.training(), config.device(),
                config.effectivePrecision());
        concepts = new ConceptTracker(k, first.centroidVersion());
        LOG.info("trainer {}: new {} student on {} ({}), teacher {} ({}-d), K={}", config.runId(),
                config.model().name(), config.device(), config.effectivePrecision(), teacherModelId, teacherDim, k);
    }

    /** Loads the newest verified checkpoint; returns the offsets to resume from (empty for a fresh start). */
    private Map<String, Long> restore() throws Exception {
        Optional<StoredCheckpoint> newest = store.newestVerified();
        if (newest.isEmpty()) {
            LOG.info("trainer {}: no checkpoint in {}, starting from the beginning of {}", config.runId(),
                    store.root(), config.topic());
            return Map.of();
        }
        StoredCheckpoint checkpoint = newest.get();
        CheckpointManifest m = checkpoint.manifest();
        session = TrainingSession.restore(checkpoint, config.training(), config.device(), config.effectivePrecision());
        concepts = new ConceptTracker(m.model().conceptCount(), m.centroidVersion());
        teacherModelId = m.teacherModelId();
        examplesConsumed = m.examplesConsumed();
        examplesTrained = m.examplesTrained();
        examplesHeldOut = m.examplesHeldOut();
        deadLettered = m.deadLettered();
        checkpointVersion.add(m.version());
        LOG.info("trainer {}: resumed from checkpoint {} (step {}, {} examples consumed) at offsets {}",
                config.runId(), checkpoint.directory(), m.step(), m.examplesConsumed(), m.offsets());
        Map<String, Long> offsets = new HashMap<>();
        m.offsets().forEach((key, offset) -> {
            if (CheckpointManifest.topicOf(key).equals(config.topic())) {
                offsets.put(key, offset);
            }
        });
        return offsets;
    }

    private void trainBatch(List<TrainingExample> fresh, CentroidReseeds reseeds) throws InvalidExampleException {
        followConcepts(fresh, reseeds);
        int replayCount = fresh.isEmpty() ? config.batching().batchSize()
                : config.batching().batchSize() - fresh.size();
        List<TrainingExample> replayed = reservoir.sample(replayCount);
        long start = System.nanoTime();
        StepReport report = session.train(fresh, replayed);
        stepTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        fresh.forEach(reservoir::offer);
        examplesTrained += report.size();
        trainedCounter.increment(report.size());
        replayedCounter.increment(replayed.size());
        stepsSinceCheckpoint++;
        report.losses().forEach((term, value) -> {
            lossSums.computeIfAbsent(term, t -> new double[2])[0] += value;
            lossSums.get(term)[1]++;
            DoubleAdder gauge = lastLoss.get(term);
            gauge.reset();
            gauge.add(value);
        });
        if (!report.applied()) {
            LOG.warn("trainer {}: step skipped, gradients not finite (norm {})", config.runId(), report.gradientNorm());
        }
        status.set("step " + report.step() + ", " + examplesConsumed + " examples consumed");
        listener.onStep(report);
    }

    /** Moves the classifier to the newest centroid version among {@code fresh}, if newer than its own. */
    private void followConcepts(List<TrainingExample> fresh, CentroidReseeds reseeds) {
        TrainingExample newest = null;
        for (TrainingExample e : fresh) {
            if (newest == null || e.centroidVersion() > newest.centroidVersion()) {
                newest = e;
            }
        }
        if (newest == null || newest.centroidVersion() <= concepts.version()) {
            return;
        }
        Set<Integer> known = Set.of();
        if (reseeds != null) {
            long deadline = System.nanoTime() + RESEED_WAIT.toNanos();
            while (!reseeds.knows(teacherModelId, newest.centroidVersion()) && System.nanoTime() < deadline) {
                reseeds.poll(POLL);
            }
            if (!reseeds.knows(teacherModelId, newest.centroidVersion())) {
                LOG.warn("trainer {}: centroid snapshot {} not seen; assuming nothing was reseeded", config.runId(),
                        newest.centroidVersion());
            }
            known = reseeds.reseededBetween(teacherModelId, concepts.version(), newest.centroidVersion());
        }
        Set<Integer> reseeded = known;
        long from = concepts.version();
        int oldK = concepts.concepts();
        concepts.advance(newest.conceptCount(), newest.centroidVersion(), reseeded).ifPresent(plan -> {
            session.followConcepts(plan);
            LOG.info("trainer {}: concepts moved from version {} (K={}) to {} (K={}), reseeded {}: classifier resized",
                    config.runId(), from, oldK, concepts.version(), concepts.concepts(), reseeded);
        });
    }

    private boolean checkpointDue() {
        if (session == null || stepsSinceCheckpoint == 0) {
            return false;
        }
        long everySteps = config.checkpoints().everySteps();
        Duration every = config.checkpoints().every();
        return (everySteps > 0 && stepsSinceCheckpoint >= everySteps)
                || (every != null && System.nanoTime() - lastCheckpointNanos >= every.toNanos());
    }

    private void checkpoint(KafkaConsumer<byte[], byte[]> consumer, KafkaProducer<byte[], byte[]> producer) throws Exception {
        // dead letters of records before the offsets about to be recorded must be durable first
        producer.flush();
        Map<String, Double> metrics = Map.of();
        if (heldOutExamples.size() >= 2) {
            metrics = session.evaluate(heldOutExamples.stream().map(EvalExample::of).toList());
        }
        Map<String, Double> losses = new LinkedHashMap<>();
        lossSums.forEach((term, sum) -> losses.put(term, sum[0] / sum[1]));
        Map<String, Long> offsets = pending.safeOffsets();
        CheckpointManifest manifest = new CheckpointManifest(CheckpointManifest.FORMAT, config.runId(), 0,
                session.step(), examplesConsumed - pending.size(), examplesTrained, examplesHeldOut, deadLettered,
                offsets, session.model().config(), config.training().toJson(), losses, metrics, teacherModelId,
                concepts.version(), session.step(), session.lossScale(), Instant.now().toString(), Map.of());
        StoredCheckpoint stored = store.write(manifest, session.checkpointFiles());
        producer.send(CheckpointEvents.toRecord(Topics.CHECKPOINTS.name(), CheckpointEvents.of(stored)));
        producer.flush();
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        offsets.forEach((key, offset) -> commit.put(
                new TopicPartition(CheckpointManifest.topicOf(key), CheckpointManifest.partitionOf(key)),
                new OffsetAndMetadata(offset)));
        consumer.commitSync(commit);
        checkpointVersion.reset();
        checkpointVersion.add(stored.version());
        stepsSinceCheckpoint = 0;
        checkpointedOffsets = offsets;
        lossSums.clear();
        lastCheckpointNanos = System.nanoTime();
        LOG.info("trainer {}: checkpoint {} at step {} ({} examples consumed), losses {}, metrics {}", config.runId(),
                stored.directory(), manifest.step(), manifest.examplesConsumed(), losses, metrics);
        listener.onCheckpoint(stored);
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> record, InvalidExampleException e,
            KafkaProducer<byte[], byte[]> producer) {
        deadLettered++;
        deadLetterCounter.increment();
        LOG.warn("trainer {}: {}-{}@{} rejected ({}): {}", config.runId(), record.topic(), record.partition(),
                record.offset(), e.reasonCode(), e.getMessage());
        producer.send(DeadLetters.toProducerRecord(DeadLetters.of(record.key(), record.value(), record.topic(),
                record.partition(), record.offset(), STAGE, e.reasonCode(), e.getMessage(), e.recordId())));
    }

    /** The topic's partitions, waiting for it to exist; empty when stopped while waiting. */
    private List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer) {
        while (true) {
            List<PartitionInfo> infos = consumer.partitionsFor(config.topic(), Duration.ofSeconds(10));
            if (infos != null && !infos.isEmpty()) {
                return infos.stream().map(p -> new TopicPartition(config.topic(), p.partition())).toList();
            }
            status.set("waiting for topic " + config.topic());
            if (stop.awaitStop(Duration.ofSeconds(2))) {
                return List.of();
            }
        }
    }

    private Properties consumerProperties() {
        // never train on an aborted upstream transaction; the offsets that count are the ones saved with each
        // checkpoint
        Properties props = kafka.exactlyOnceConsumer(config.runId());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
        props.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, Integer.toString(Math.max(64, config.batching().batchSize())));
        return props;
    }

    private Properties producerProperties() {
        Properties props = kafka.producer();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        return props;
    }
}
