package io.rlog.cli.groups;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberAssignment;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** The lag lines of `rlog groups describe`, without a cluster. */
class GroupsCommandTest {
    private static final TopicPartition P0 = new TopicPartition("t", 0);
    private static final TopicPartition P1 = new TopicPartition("t", 1);

    @Test
    void eachPartitionShowsCommittedEndLagAndOwner() {
        MemberDescription m = new MemberDescription("member-1", Optional.empty(), "client-1", "/127.0.0.1",
                new MemberAssignment(Set.of(P0)), Optional.empty(), Optional.empty(), Optional.empty());
        ConsumerGroupDescription d = new ConsumerGroupDescription("g", false, List.of(m), "range", GroupType.CLASSIC,
                GroupState.STABLE, new Node(1, "h", 1), Set.of(), Optional.empty(), Optional.empty());
        TreeSet<TopicPartition> partitions = new TreeSet<>((a, b) -> Integer.compare(a.partition(), b.partition()));
        partitions.addAll(List.of(P0, P1));
        List<String> lines = GroupsCommand.describeLines(d, partitions, Map.of(P0, new OffsetAndMetadata(7)),
                Map.of(P0, 10L, P1, 4L), Map.of(P0, m));
        assertEquals(List.of(
                "group=g state=Stable members=1 assignor=range",
                "topic=t partition=0 committed=7 log.end=10 lag=3 member=member-1 host=/127.0.0.1 client=client-1",
                "topic=t partition=1 committed=- log.end=4 lag=- member=- host=- client=-"), lines);
    }
}
