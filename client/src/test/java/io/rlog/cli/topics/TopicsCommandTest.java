package io.rlog.cli.topics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

/** The lines `rlog topics describe` prints. */
class TopicsCommandTest {
    @Test
    void describePrintsTheTopicThenEachPartitionsLeaderReplicasAndIsr() {
        Node n1 = new Node(1, "h", 1);
        Node n2 = new Node(2, "h", 2);
        Node n3 = new Node(3, "h", 3);
        Uuid id = Uuid.randomUuid();
        TopicDescription d = new TopicDescription("t", false, List.of(
                new TopicPartitionInfo(0, n1, List.of(n1, n2, n3), List.of(n1, n2, n3)),
                new TopicPartitionInfo(1, null, List.of(n2, n3, n1), List.of())), Set.of(), id);

        assertEquals(List.of(
                "topic=t id=" + id + " partitions=2 replication.factor=3 internal=false",
                "partition=0 leader=1 replicas=1,2,3 isr=1,2,3",
                "partition=1 leader=none replicas=2,3,1 isr=-"), TopicsCommand.describeLines(d));
    }
}
