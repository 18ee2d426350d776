package dev.kclip.launcher;

import dev.kclip.common.cli.KafkaOptions;
import dev.kclip.common.cli.UserException;
import dev.kclip.common.topics.TopicCatalogAdmin;
import dev.kclip.schemas.Topics;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "topics", mixinStandardHelpOptions = true,
        description = "Create or list the pipeline's topics.",
        subcommands = {TopicsCommand.Create.class, TopicsCommand.ListTopics.class})
final class TopicsCommand {

    @Command(name = "create", mixinStandardHelpOptions = true,
            description = "Create every topic of the catalog that does not exist yet (idempotent).")
    static final class Create implements Callable<Integer> {
        @Mixin
        KafkaOptions kafka;

        @Option(names = "--partitions", defaultValue = "0",
                description = "Partitions for every new topic (default: the catalog's count per topic).")
        int partitions;

        @Option(names = "--replication-factor", paramLabel = "N", defaultValue = "0",
                description = "Copies of every new topic; from 3 on also min.insync.replicas=2 (default: min(3, brokers)).")
        int replicationFactor;

        @Override
        public Integer call() {
            try (Admin admin = Admin.create(kafka.connection().admin())) {
                List<TopicCatalogAdmin.Outcome> outcomes;
                try {
                    outcomes = new TopicCatalogAdmin(admin).ensure(Topics.ALL, partitions, replicationFactor);
                } catch (IllegalArgumentException e) {
                    throw new UserException(e.getMessage());
                }
                for (TopicCatalogAdmin.Outcome o : outcomes) {
                    System.out.printf("%-26s %s%n", o.topic(),
                            o.created() ? "created (" + o.partitions() + " partitions, replication " + o.replicationFactor() + ")"
                                    : "exists");
                }
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the catalog's topics and whether they exist.")
    static final class ListTopics implements Callable<Integer> {
        @Mixin
        KafkaOptions kafka;

        @Override
        public Integer call() {
            try (Admin admin = Admin.create(kafka.connection().admin())) {
                for (TopicCatalogAdmin.Described d : new TopicCatalogAdmin(admin).describe(Topics.ALL)) {
                    System.out.printf("%-26s %-8s %-11s %-17s %s%n", d.spec().name(),
                            d.exists() ? d.partitions() + " part" : "missing",
                            d.spec().compacted() ? "compacted" : "retention",
                            d.spec().valueType().getSimpleName(), d.spec().description());
                }
            }
            return 0;
        }
    }
}
