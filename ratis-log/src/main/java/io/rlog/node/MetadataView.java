package io.rlog.node;

import io.rlog.proto.MetadataImage;
import io.rlog.proto.TopicRecord;
import org.apache.ratis.protocol.RaftGroupId;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * This node's read view of the metadata: the newest image applied by the local metadata replica, indexed by
 * topic name and by partition group id. Waiters complete when an image satisfies their condition.
 */
public final class MetadataView {

    /** Where a partition group belongs. */
    public record PartitionRef(TopicRecord topic, UUID topicId, int partition) {}

    /** One consistent, immutable index over an image. */
    public record Snapshot(MetadataImage image, Map<String, TopicRecord> byName, Map<RaftGroupId, PartitionRef> byGroup) {
        static Snapshot of(MetadataImage image) {
            Map<String, TopicRecord> byName = new HashMap<>();
            Map<RaftGroupId, PartitionRef> byGroup = new HashMap<>();
            for (TopicRecord t : image.getTopicsList()) {
                byName.put(t.getName(), t);
                UUID id = GroupIds.uuid(t.getTopicId());
                for (int p = 0; p < t.getPartitionsCount(); p++) {
                    byGroup.put(GroupIds.partition(id, p), new PartitionRef(t, id, p));
                }
            }
            return new Snapshot(image, Map.copyOf(byName), Map.copyOf(byGroup));
        }
    }

    private record Waiter(Predicate<Snapshot> condition, java.util.concurrent.CompletableFuture<Snapshot> future) {}

    private volatile Snapshot current = Snapshot.of(MetadataImage.getDefaultInstance());
    private final CopyOnWriteArrayList<Waiter> waiters = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<Runnable> listeners = new CopyOnWriteArrayList<>();

    public Snapshot current() {
        return current;
    }

    void update(MetadataImage image) {
        Snapshot s = Snapshot.of(image);
        synchronized (this) {
            if (image.getAppliedIndex() < current.image().getAppliedIndex()) {
                return;
            }
            current = s;
        }
        for (Waiter w : waiters) {
            if (w.condition().test(s) && w.future().complete(s)) {
                waiters.remove(w);
            }
        }
        listeners.forEach(Runnable::run);
    }

    /** Completes with the first image (the current one included) for which {@code condition} holds. */
    public java.util.concurrent.CompletableFuture<Snapshot> await(Predicate<Snapshot> condition) {
        Waiter w = new Waiter(condition, new java.util.concurrent.CompletableFuture<>());
        waiters.add(w);
        Snapshot s = current;
        if (condition.test(s) && w.future().complete(s)) {
            waiters.remove(w);
        }
        w.future().whenComplete((r, t) -> waiters.remove(w));
        return w.future();
    }

    /** Runs {@code r} after every new image, on the applying thread: it must not block. */
    public void onChange(Runnable r) {
        listeners.add(r);
    }
}
