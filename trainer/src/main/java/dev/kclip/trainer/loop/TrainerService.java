package dev.kclip.trainer.loop;

import dev.kclip.common.deadletter.DeadLetters;
import dev.kclip.common.kafka.KafkaConnection;
import dev.kclip.common.metrics.Health;
import dev.kclip.common.service.StageService;
import dev.kclip.common.service.StopSignal;
import dev.kclip.schemas.DeadLetter;
import dev.kclip.schemas.LabelledPair;
import dev.kclip.schemas.Topics;
import dev.kclip.schemas.serde.AvroSerde;
import dev.kclip.schemas.serde.RecordDecodingException;
import dev.kclip.trainer.checkpoint.CheckpointEvents;
import dev.kclip.trainer.checkpoint.CheckpointManifest;
import dev.kclip.trainer.checkpoint.CheckpointStore;
import dev.kclip.trainer.checkpoint.SigningKey;
import dev.kclip.trainer.checkpoint.StoredCheckpoint;
import dev.kclip.trainer.data.DecodedImages;
import dev.kclip.trainer.data.Examples;
import dev.kclip.trainer.data.InvalidExampleException;
import dev.kclip.trainer.data.RejectReason;
import dev.kclip.trainer.data.TrainingExample;
import dev.kclip.trainer.model.ModelConfig;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
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
 * The continuous trainer as a service: reads {@code kclip.train.examples} (read_committed) and hands the examples
 * to a {@link StreamTrainer}, which decides what trains and when to checkpoint. This shell does the Kafka part:
 *
 * <ul>
 *   <li>Start: the consumer is sought to the offsets of the newest checkpoint that verifies and loads (newer ones
 *       that do not are skipped, logged and counted), or to the beginning of each partition it does not name.</li>
 *   <li>With {@code checkpoints.signingKeyFile}, every checkpoint's manifest is signed (HMAC-SHA256) for the
 *       followers that check it.</li>
 *   <li>Records that cannot be decoded or validated go to {@code kclip.pairs.dlq} with a {@link RejectReason}.</li>
 *   <li>Each checkpoint: dead letters flushed first (they are before its offsets), then written, announced as a
 *       {@code CheckpointEvent}, and its offsets committed to the group for lag monitoring. Training resumes from
 *       the checkpoint's offsets, not the group's.</li>
 * </ul>
 * Everything runs on one background thread, which owns the model.
 */
public final class TrainerService implements StageService {

    private static final Logger LOG = LoggerFactory.getLogger(TrainerService.class);
    private static final String STAGE = "trainer";
    private static final AvroSerde<LabelledPair> SERDE = new AvroSerde<>(LabelledPair.class);
    private static final Duration POLL = Duration.ofMillis(100);

    private final TrainerConfig config;
    private final KafkaConnection kafka;
    private final MeterRegistry registry;
    private final TrainingListener listener;
    private final StopSignal stop = new StopSignal();
    private final Thread thread;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicReference<String> status = new AtomicReference<>("starting");
    private volatile StreamTrainer trainer;
    /** The images decoded to validate records, which their batches and replays use (training thread and workers). */
    private final DecodedImages decoded;

    private TrainerService(TrainerConfig config, KafkaConnection kafka, MeterRegistry registry, TrainingListener listener) {
        this.config = config;
        this.kafka = kafka;
        this.registry = registry;
        this.listener = listener;
        this.decoded = new DecodedImages(config.batching().decodedCacheBytes());
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
    public Health health() {
        Throwable t = failure.get();
        if (t != null) {
            return Health.down("failed: " + t);
        }
        StreamTrainer current = trainer;
        String detail = current != null && status.get().equals("training") ? current.progress() : status.get();
        return thread.isAlive() ? Health.up(detail) : Health.down("stopped");
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
        try {
            train();
            status.set("stopped");
        } catch (Throwable t) {
            failure.set(t);
            status.set("failed");
            LOG.error("trainer {} stopped: {}", config.runId(), t.toString(), t);
        } finally {
            stop.finished();
        }
    }

    private void train() throws Exception {
        Path keyFile = config.checkpoints().signingKeyFile();
        CheckpointStore store = new CheckpointStore(config.checkpoints().directory(), config.checkpoints().keep(),
                keyFile == null ? null : SigningKey.read(keyFile));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerProperties());
             KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProperties());
             StreamTrainer streamTrainer = new StreamTrainer(config, students(),
                     new AnnouncedCheckpoints(store, config.checkpoints().advertisedUrl(), consumer, producer), System::nanoTime, listener, registry)) {
            trainer = streamTrainer;
            Map<String, Long> startOffsets = streamTrainer.restore();
            List<TopicPartition> partitions = partitions(consumer);
            if (partitions.isEmpty()) {
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
            status.set("training");
            while (!stop.isStopRequested()) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    accept(record, producer, streamTrainer);
                }
                streamTrainer.advance(stop::isStopRequested);
            }
            streamTrainer.finish();
        }
    }

    private Student.Factory students() {
        return new Student.Factory() {
            @Override
            public Student create(ModelConfig model) {
                return TrainingSession.create(model, config.training(), config.device(), config.effectivePrecision())
                        .preparingWith(decoded, config.batching().prefetchWorkers());
            }

            @Override
            public Student restore(StoredCheckpoint checkpoint) throws IOException {
                return TrainingSession.restore(checkpoint, config.training(), config.device(), config.effectivePrecision())
                        .preparingWith(decoded, config.batching().prefetchWorkers());
            }
        };
    }

    /** Decodes and validates one record: dead letter, or handed to the trainer. */
    private void accept(ConsumerRecord<byte[], byte[]> record, KafkaProducer<byte[], byte[]> producer,
            StreamTrainer streamTrainer) {
        TrainingExample.Source source = new TrainingExample.Source(record.topic(), record.partition(), record.offset());
        try {
            streamTrainer.offer(example(record, config.heldOut().labelField(), config.heldOut().buckets().field(),
                    decoded));
        } catch (InvalidExampleException e) {
            LOG.warn("trainer {}: {}-{}@{} rejected ({}): {}", config.runId(), record.topic(), record.partition(),
                    record.offset(), e.reason(), e.getMessage());
            producer.send(DeadLetters.toProducerRecord(deadLetter(record, e)));
            streamTrainer.rejected(source);
        }
    }

    /**
     * One consumed record as a training example.
     *
     * @throws InvalidExampleException with the reason it cannot be trained on: a tombstone, bytes that are no
     *     LabelledPair, or a pair {@link Examples#fromRecord} refuses
     * @param decoded where the image decoded to validate the record is kept for its batches, or null
     */
    static TrainingExample example(ConsumerRecord<byte[], byte[]> record, String labelField, String bucketField,
            DecodedImages decoded) throws InvalidExampleException {
        if (record.value() == null) {
            throw new InvalidExampleException(RejectReason.BAD_RECORD, "record has no value", null);
        }
        LabelledPair pair;
        try {
            pair = SERDE.deserialize(record.topic(), record.value());
        } catch (RecordDecodingException e) {
            throw new InvalidExampleException(RejectReason.BAD_RECORD, e.getMessage(), null);
        }
        return Examples.fromRecord(pair, labelField, bucketField,
                new TrainingExample.Source(record.topic(), record.partition(), record.offset()), decoded);
    }

    /**
     * The dead letter of a rejected record, fitted under the record limit ({@link DeadLetters#fitting}); a non-image
     * ({@link RejectReason#UNSUPPORTED_FORMAT}) travels without its bytes.
     */
    static DeadLetter deadLetter(ConsumerRecord<byte[], byte[]> record, InvalidExampleException e) {
        boolean keepValue = e.reason() != RejectReason.UNSUPPORTED_FORMAT;
        String message = e.getMessage() + (keepValue || record.value() == null ? ""
                : " (original value of " + record.value().length + " bytes left out)");
        return DeadLetters.fitting(DeadLetters.of(record.key(), keepValue ? record.value() : null, record.topic(),
                record.partition(), record.offset(), STAGE, e.reason(), message, e.recordId()), Topics.MAX_RECORD_BYTES);
    }

    /**
     * The checkpoint store with the Kafka side of a checkpoint: dead letters before its offsets made durable first,
     * the checkpoint announced on {@code kclip.model.checkpoints}, its offsets committed to the group.
     */
    private record AnnouncedCheckpoints(CheckpointStore store, URI advertisedUrl, KafkaConsumer<byte[], byte[]> consumer,
            KafkaProducer<byte[], byte[]> producer) implements StreamTrainer.Checkpoints {

        @Override
        public Stream<CheckpointStore.Verification> newestFirst() {
            return store.newestFirst();
        }

        @Override
        public StoredCheckpoint write(CheckpointManifest manifest, Map<String, CheckpointStore.FileContent> files)
                throws IOException {
            producer.flush();
            StoredCheckpoint stored = store.write(manifest, files);
            producer.send(CheckpointEvents.toRecord(Topics.CHECKPOINTS.name(), CheckpointEvents.of(stored, advertisedUrl)));
            producer.flush();
            Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
            manifest.offsets().forEach((key, offset) -> commit.put(
                    new TopicPartition(CheckpointManifest.topicOf(key), CheckpointManifest.partitionOf(key)),
                    new OffsetAndMetadata(offset)));
            consumer.commitSync(commit);
            return stored;
        }
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
