package dev.kclip.teacher.service;

import dev.kclip.schemas.Topics;
import dev.kclip.teacher.TeacherOptions;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * How a teacher service instance runs. Start from {@link #defaults(String)} and change what differs.
 *
 * @param modelSpec the teacher, e.g. {@code onnx-minilm}, {@code llama:/models/Llama-2-7b-hf}
 * @param teacherOptions device, pooling, hidden layer, normalisation
 * @param inputTopic pairs to embed (default {@code kclip.pairs})
 * @param outputTopic where {@code EmbeddedPair}s go (default {@code kclip.teacher.embeddings})
 * @param deadLetterTopic where rejected records go (default {@code kclip.pairs.dlq})
 * @param groupId consumer group shared by every instance (default {@code kclip-teacher}): instances split the
 *     input's partitions between them
 * @param instanceId distinct per instance and stable across its restarts (default: the host name): it names the
 *     transactional id, so a restarted instance fences its predecessor and aborts its open transaction at once
 * @param maxBatchTokens padded tokens per forward pass (captions × longest caption), the memory bound (default 8192)
 * @param maxBatchCaptions captions per forward pass (default 64)
 * @param maxWait longest a caption waits for a batch to fill (default 50 ms)
 * @param cacheBytes memory for the (model id, caption) → embedding cache; 0 disables it (default 64 MiB)
 * @param transactionTimeout how long an open transaction of a vanished instance may block readers of its
 *     partitions before the broker aborts it (default 30 s)
 */
public record TeacherServiceConfig(
        String modelSpec,
        TeacherOptions teacherOptions,
        String inputTopic,
        String outputTopic,
        String deadLetterTopic,
        String groupId,
        String instanceId,
        int maxBatchTokens,
        int maxBatchCaptions,
        Duration maxWait,
        long cacheBytes,
        Duration transactionTimeout) {

    public static final String DEFAULT_GROUP = "kclip-teacher";
    public static final int DEFAULT_MAX_BATCH_TOKENS = 8192;
    public static final int DEFAULT_MAX_BATCH_CAPTIONS = 64;
    public static final Duration DEFAULT_MAX_WAIT = Duration.ofMillis(50);
    public static final long DEFAULT_CACHE_BYTES = 64L << 20;

    public TeacherServiceConfig {
        if (modelSpec == null || modelSpec.isBlank()) {
            throw new IllegalArgumentException("a teacher model spec is required");
        }
        if (instanceId == null || instanceId.isBlank()) {
            throw new IllegalArgumentException("an instance id is required");
        }
        if (maxBatchTokens < 1 || maxBatchCaptions < 1) {
            throw new IllegalArgumentException("batch limits must be positive");
        }
        if (maxWait.isNegative() || cacheBytes < 0 || transactionTimeout.toMillis() < 1000) {
            throw new IllegalArgumentException("maxWait and cacheBytes must not be negative, transactionTimeout at least 1 s");
        }
    }

    /** The defaults above for teacher {@code modelSpec}. */
    public static TeacherServiceConfig defaults(String modelSpec) {
        return new TeacherServiceConfig(modelSpec, TeacherOptions.defaults(), Topics.PAIRS.name(),
                Topics.TEACHER_EMBEDDINGS.name(), Topics.DEAD_LETTERS.name(), DEFAULT_GROUP, hostName(),
                DEFAULT_MAX_BATCH_TOKENS, DEFAULT_MAX_BATCH_CAPTIONS, DEFAULT_MAX_WAIT, DEFAULT_CACHE_BYTES,
                Duration.ofSeconds(30));
    }

    public TeacherServiceConfig withTeacherOptions(TeacherOptions options) {
        return new TeacherServiceConfig(modelSpec, options, inputTopic, outputTopic, deadLetterTopic, groupId,
                instanceId, maxBatchTokens, maxBatchCaptions, maxWait, cacheBytes, transactionTimeout);
    }

    public TeacherServiceConfig withTopics(String input, String output, String deadLetters) {
        return new TeacherServiceConfig(modelSpec, teacherOptions, input, output, deadLetters, groupId,
                instanceId, maxBatchTokens, maxBatchCaptions, maxWait, cacheBytes, transactionTimeout);
    }

    public TeacherServiceConfig withGroup(String group, String instance) {
        return new TeacherServiceConfig(modelSpec, teacherOptions, inputTopic, outputTopic, deadLetterTopic, group,
                instance, maxBatchTokens, maxBatchCaptions, maxWait, cacheBytes, transactionTimeout);
    }

    public TeacherServiceConfig withBatching(int tokens, int captions, Duration wait) {
        return new TeacherServiceConfig(modelSpec, teacherOptions, inputTopic, outputTopic, deadLetterTopic, groupId,
                instanceId, tokens, captions, wait, cacheBytes, transactionTimeout);
    }

    public TeacherServiceConfig withCacheBytes(long bytes) {
        return new TeacherServiceConfig(modelSpec, teacherOptions, inputTopic, outputTopic, deadLetterTopic, groupId,
                instanceId, maxBatchTokens, maxBatchCaptions, maxWait, bytes, transactionTimeout);
    }

    /** The producer's transactional id: one per instance, the same after a restart. */
    public String transactionalId() {
        return groupId + "-" + instanceId;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "0";
        }
    }
}
