package io.rlog.cli.topics;

import io.rlog.cli.CommandFailedException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** `rlog topics create|list|describe|delete`, through kafka-clients' Admin. */
@Command(name = "topics", mixinStandardHelpOptions = true, description = "Create, list, describe and delete topics.",
        subcommands = {TopicsCommand.Create.class, TopicsCommand.ListTopics.class, TopicsCommand.Describe.class,
            TopicsCommand.Delete.class})
public final class TopicsCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand");
    }

    /** Opens an Admin client for one subcommand and closes it after. */
    abstract static class AdminCommand extends io.rlog.cli.common.AdminSubcommand {
        @Override
        protected String clientId() {
            return "rlog-topics";
        }
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Create a topic.")
    static final class Create extends AdminCommand {
        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;

        @Option(names = "--partitions", paramLabel = "N", description = "default: the cluster's num.partitions")
        Integer partitions;

        @Option(names = "--replication-factor", paramLabel = "R",
                description = "default: the cluster's default.replication.factor")
        Short replicationFactor;

        @Option(names = "--config", paramLabel = "KEY=VALUE", description = "topic config; repeatable")
        Map<String, String> configs = new LinkedHashMap<>();

        @Override
        protected void run(Admin admin, PrintWriter out) throws Exception {
            if (partitions != null && partitions < 1) {
                throw new ParameterException(spec.commandLine(), "--partitions must be at least 1");
            }
            if (replicationFactor != null && replicationFactor < 1) {
                throw new ParameterException(spec.commandLine(), "--replication-factor must be at least 1");
            }
            NewTopic t = new NewTopic(topic, Optional.ofNullable(partitions), Optional.ofNullable(replicationFactor))
                    .configs(configs);
            admin.createTopics(List.of(t)).all().get();
            out.println("created topic=" + topic);
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "One topic name per line, sorted.")
    static final class ListTopics extends AdminCommand {
        @Override
        protected void run(Admin admin, PrintWriter out) throws Exception {
            for (String name : new TreeSet<>(admin.listTopics().names().get())) {
                out.println(name);
            }
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "The topic, then one line per partition: leader, replicas, in-sync replicas.")
    static final class Describe extends AdminCommand {
        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;

        @Override
        protected void run(Admin admin, PrintWriter out) throws Exception {
            TopicDescription d = admin.describeTopics(Set.of(topic)).allTopicNames().get().get(topic);
            if (d == null) {
                throw new CommandFailedException("topic " + topic + " not found");
            }
            for (String line : describeLines(d)) {
                out.println(line);
            }
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a topic.")
    static final class Delete extends AdminCommand {
        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;

        @Override
        protected void run(Admin admin, PrintWriter out) throws Exception {
            admin.deleteTopics(List.of(topic)).all().get();
            out.println("deleted topic=" + topic);
        }
    }

    /** key=value lines, so scripts can read them; pure so it is unit-tested. */
    static List<String> describeLines(TopicDescription d) {
        int rf = d.partitions().isEmpty() ? 0 : d.partitions().get(0).replicas().size();
        List<String> lines = new java.util.ArrayList<>();
        lines.add("topic=" + d.name() + " id=" + d.topicId() + " partitions=" + d.partitions().size()
                + " replication.factor=" + rf + " internal=" + d.isInternal());
        for (TopicPartitionInfo p : d.partitions()) {
            lines.add("partition=" + p.partition()
                    + " leader=" + (p.leader() == null || p.leader().isEmpty() ? "none" : p.leader().idString())
                    + " replicas=" + ids(p.replicas()) + " isr=" + ids(p.isr()));
        }
        return lines;
    }

    private static String ids(List<Node> nodes) {
        return nodes.isEmpty() ? "-" : nodes.stream().map(Node::idString).collect(Collectors.joining(","));
    }
}
