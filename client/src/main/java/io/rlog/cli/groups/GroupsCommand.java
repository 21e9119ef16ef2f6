package io.rlog.cli.groups;

import io.rlog.cli.CommandFailedException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** `rlog groups list|describe|reset-offsets`: consumer groups and their lag, through kafka-clients' Admin. */
@Command(name = "groups", mixinStandardHelpOptions = true, description = "List, describe and reset consumer groups.",
        subcommands = {GroupsCommand.ListGroups.class, GroupsCommand.Describe.class, GroupsCommand.ResetOffsets.class})
public final class GroupsCommand implements Runnable {
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
            return "rlog-groups";
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "One line per group, sorted: id, state, type.")
    static final class ListGroups extends AdminCommand {
        @Override
        protected void run(Admin admin, PrintWriter out) throws Exception {
            List<GroupListing> groups = new ArrayList<>(admin.listGroups().all().get());
            groups.sort(Comparator.comparing(GroupListing::groupId));
            for (GroupListing g : groups) {
                out.println("group=" + g.groupId() + " state=" + g.groupState().map(GroupState::toString).orElse("-")
                        + " protocol.type=" + (g.protocol().isEmpty() ? "-" : g.protocol()));
            }
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "The group, then one line per partition: committed offset, log end offset, lag, member, host.")
    static final class Describe extends AdminCommand {
        @Parameters(index = "0", paramLabel = "GROUP")
        String group;

        @Override
        protected void run(Admin admin, PrintWriter out) throws Exception {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get();
            if (d.groupState() == GroupState.DEAD && committed.isEmpty()) {
                throw new CommandFailedException("group " + group + " does not exist");
            }
            Map<TopicPartition, MemberDescription> owners = new HashMap<>();
            d.members().forEach(m -> m.assignment().topicPartitions().forEach(tp -> owners.put(tp, m)));
            Set<TopicPartition> partitions = new TreeSet<>(Comparator.comparing(TopicPartition::topic)
                    .thenComparingInt(TopicPartition::partition));
            partitions.addAll(committed.keySet());
            partitions.addAll(owners.keySet());
            Map<TopicPartition, Long> ends = endOffsets(admin, partitions, OffsetSpec.latest());
            for (String line : describeLines(d, partitions, committed, ends, owners)) {
                out.println(line);
            }
        }
    }

    /** key=value lines, so scripts can read them; pure so it is unit-tested. */
    static List<String> describeLines(ConsumerGroupDescription d, Set<TopicPartition> partitions,
                                      Map<TopicPartition, OffsetAndMetadata> committed, Map<TopicPartition, Long> ends,
                                      Map<TopicPartition, MemberDescription> owners) {
        List<String> lines = new ArrayList<>();
        lines.add("group=" + d.groupId() + " state=" + d.groupState() + " members=" + d.members().size()
                + " assignor=" + (d.partitionAssignor() == null || d.partitionAssignor().isEmpty() ? "-" : d.partitionAssignor()));
        for (TopicPartition tp : partitions) {
            OffsetAndMetadata c = committed.get(tp);
            Long end = ends.get(tp);
            MemberDescription m = owners.get(tp);
            String lag = c == null || end == null ? "-" : String.valueOf(Math.max(0, end - c.offset()));
            lines.add("topic=" + tp.topic() + " partition=" + tp.partition()
                    + " committed=" + (c == null ? "-" : c.offset())
                    + " log.end=" + (end == null ? "-" : end)
                    + " lag=" + lag
                    + " member=" + (m == null ? "-" : m.consumerId())
                    + " host=" + (m == null ? "-" : m.host())
                    + " client=" + (m == null ? "-" : m.clientId()));
        }
        return lines;
    }

    static Map<TopicPartition, Long> endOffsets(Admin admin, Set<TopicPartition> partitions, OffsetSpec spec)
            throws Exception {
        if (partitions.isEmpty()) {
            return Map.of();
        }
        Map<TopicPartition, OffsetSpec> request = new HashMap<>();
        partitions.forEach(tp -> request.put(tp, spec));
        Map<TopicPartition, ListOffsetsResultInfo> result = admin.listOffsets(request).all().get();
        Map<TopicPartition, Long> out = new HashMap<>();
        result.forEach((tp, info) -> out.put(tp, info.offset()));
        return out;
    }

    @Command(name = "reset-offsets", mixinStandardHelpOptions = true,
            description = "Set an inactive group's committed offsets of a topic (every partition).")
    static final class ResetOffsets extends AdminCommand {
        @Parameters(index = "0", paramLabel = "GROUP")
        String group;

        @Option(names = "--topic", required = true, paramLabel = "TOPIC")
        String topic;

        @ArgGroup(exclusive = true, multiplicity = "1")
        Target target;

        static final class Target {
            @Option(names = "--to-earliest", description = "each partition's first offset")
            boolean earliest;

            @Option(names = "--to-latest", description = "each partition's end: skip everything written so far")
            boolean latest;

            @Option(names = "--to-offset", paramLabel = "N", description = "offset N, clamped into each partition's log")
            Long offset;
        }

        @Override
        protected void run(Admin admin, PrintWriter out) throws Exception {
            if (target.offset != null && target.offset < 0) {
                throw new ParameterException(spec.commandLine(), "--to-offset must not be negative");
            }
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            if (!d.members().isEmpty()) {
                throw new CommandFailedException("group " + group + " is " + d.groupState() + " with "
                        + d.members().size() + " members; stop its consumers before resetting its offsets");
            }
            TopicDescription t = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            Set<TopicPartition> partitions = t.partitions().stream().map(p -> new TopicPartition(topic, p.partition()))
                    .collect(Collectors.toSet());
            Map<TopicPartition, Long> earliest = endOffsets(admin, partitions, OffsetSpec.earliest());
            Map<TopicPartition, Long> latest = endOffsets(admin, partitions, OffsetSpec.latest());
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (TopicPartition tp : partitions) {
                long to = target.earliest ? earliest.get(tp) : target.latest ? latest.get(tp)
                        : Math.max(earliest.get(tp), Math.min(latest.get(tp), target.offset));
                offsets.put(tp, new OffsetAndMetadata(to));
            }
            // The coordinator accepts a commit without a member only while the group is Empty.
            admin.alterConsumerGroupOffsets(group, offsets).all().get();
            offsets.entrySet().stream().sorted(Map.Entry.comparingByKey(Comparator.comparingInt(TopicPartition::partition)))
                    .forEach(e -> out.println("topic=" + topic + " partition=" + e.getKey().partition()
                            + " offset=" + e.getValue().offset()));
            out.println("reset group=" + group + " topic=" + topic);
        }
    }
}
