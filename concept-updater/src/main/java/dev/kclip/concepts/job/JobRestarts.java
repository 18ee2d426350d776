package dev.kclip.concepts.job;

import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * How often a job on an in-process MiniCluster has restarted: Flink's own {@code numRestarts} job metric, picked up
 * by a metric reporter that {@link #reportTo} installs in the MiniCluster's configuration (a {@code JobClient}
 * cannot tell: a job in a restart loop looks RUNNING or RESTARTING to it for ever). Only for jobs in this JVM.
 */
public final class JobRestarts {

    private static final String REPORTER = "kclip-restarts";
    private static final String JOB_ID = "<job_id>";
    private static final String NUM_RESTARTS = "numRestarts";

    /** numRestarts gauge per job id while the job's metric group lives; its last value after. */
    private static final Map<String, Gauge<?>> LIVE = new ConcurrentHashMap<>();
    private static final Map<String, Long> ENDED = new ConcurrentHashMap<>();

    private JobRestarts() {
    }

    /** Adds the reporter to a configuration a MiniCluster is started from. */
    public static Configuration reportTo(Configuration conf) {
        conf.setString("metrics.reporter." + REPORTER + ".factory.class", Factory.class.getName());
        return conf;
    }

    /** The job's restarts so far, once its metrics are registered. */
    public static OptionalLong of(String jobId) {
        Gauge<?> gauge = LIVE.get(jobId);
        if (gauge != null && gauge.getValue() instanceof Number n) {
            return OptionalLong.of(n.longValue());
        }
        Long ended = ENDED.get(jobId);
        return ended == null ? OptionalLong.empty() : OptionalLong.of(ended);
    }

    /** Forgets a job that will not be asked about again. */
    public static void forget(String jobId) {
        LIVE.remove(jobId);
        ENDED.remove(jobId);
    }

    /** Creates the {@link Reporter}; found by Flink through {@code META-INF/services}. */
    public static final class Factory implements MetricReporterFactory {
        @Override
        public MetricReporter createMetricReporter(Properties properties) {
            return new Reporter();
        }
    }

    /** Keeps every job's {@code numRestarts} gauge as Flink registers it. */
    static final class Reporter implements MetricReporter {
        @Override
        public void open(MetricConfig config) {
        }

        @Override
        public void close() {
        }

        @Override
        public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
            String job = group.getAllVariables().get(JOB_ID);
            if (NUM_RESTARTS.equals(name) && job != null && metric instanceof Gauge<?> gauge) {
                LIVE.put(job, gauge);
            }
        }

        @Override
        public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
            String job = group.getAllVariables().get(JOB_ID);
            if (NUM_RESTARTS.equals(name) && job != null && LIVE.remove(job, metric)
                    && ((Gauge<?>) metric).getValue() instanceof Number n) {
                ENDED.put(job, n.longValue());
            }
        }
    }
}
