package io.rlog.statemachine.offsets;

import com.google.protobuf.InvalidProtocolBufferException;
import io.rlog.proto.CommitOffsets;
import io.rlog.proto.CommittedOffset;
import io.rlog.proto.GroupRecord;
import io.rlog.proto.OffsetsCommand;
import io.rlog.proto.TopicPartitionRef;
import io.rlog.proto.TxnOffsets;
import io.rlog.proto.TxnRecord;
import io.rlog.statemachine.Invariants;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * The consumer-group state one {@code __consumer_offsets} partition keeps: the committed offset of every
 * (group, topic, partition) and one record per group; and, for transactions (KIP-98), the offsets an open
 * transaction committed (pending until its marker: {@link #planMarker}) and the transaction coordinator's record
 * of each transactional id that hashes to this partition. Pure and deterministic: {@link #plan} turns a command into a
 * {@link Change} (the new values and the RocksDB keys to write), {@link #install} publishes it after the write;
 * nothing here does I/O or reads a clock. The coordinator has validated a command before proposing it (generation,
 * member, topic), so apply stores what it is given: a commit may move an offset backwards, because a client
 * that seeks back and commits, or an admin reset, asks for exactly that.
 *
 * <p>Keys (in the partition's RocksDB, beside the partition's own 'b', 'p' and 'm' keys):
 * {@code 'o' + str(group) + str(topic) + partition(4)} → {@link CommittedOffset};
 * {@code 'g' + str(group)} → {@link GroupRecord};
 * {@code 'u' + producerId(8) + str(group) + str(topic) + partition(4)} → {@link CommittedOffset} pending in the
 * producer's open transaction (u: uncommitted), so that a marker finds its producer's keys under one prefix;
 * {@code 't' + str(transactionalId)} → {@link TxnRecord}; {@code str(s)} is a 2-byte length and the UTF-8 bytes,
 * so the keys of one group are one prefix.
 *
 * <p>Thread: {@link #plan}, {@link #planMarker}, {@link #install} and {@link #load} on the apply thread only; the
 * reads from any thread (each group's, producer's and transactional id's value is immutable and replaced whole).
 *
 * <p>Not Kafka's rule, on purpose: Kafka's commit marker keeps a group's committed offset when a plain commit of
 * it was written to the log after the transaction's TxnOffsetCommit; here the marker's offsets always win (the
 * offsets carry no log position to compare), as a CommitOffsets at the marker would.
 */
public final class OffsetTable implements OffsetReader {

    static final byte OFFSET = 'o';
    static final byte GROUP = 'g';
    static final byte PENDING = 'u';
    static final byte TXN = 't';
    /** Group ids and topic names are Kafka strings (at most 32767 bytes); the key length field holds that. */
    static final int KEY_STRING_BYTES_MAX = Short.MAX_VALUE;

    /** Reads every stored key and value under a prefix, in key order (the store's scan). */
    @FunctionalInterface
    public interface Scanner {
        void scan(byte[] prefix, BiConsumer<byte[], byte[]> visitor);
    }

    /**
     * The effect of one command: {@code groups} maps each touched group to its new value (null: gone),
     * {@code pending} each touched producer to its new pending offsets (null: none left), {@code txns} each
     * touched transactional id to its new record; {@code puts} and {@code deletes} are the store writes.
     * {@code error} non-null: nothing to write.
     */
    public record Change(String error, Map<String, GroupOffsets> groups, List<byte[][]> puts, List<byte[]> deletes,
                         Map<Long, PendingOffsets> pending, Map<String, TxnRecord> txns) {
        public Change(String error, Map<String, GroupOffsets> groups, List<byte[][]> puts, List<byte[]> deletes) {
            this(error, groups, puts, deletes, Map.of(), Map.of());
        }

        static Change refused(String error) {
            return new Change(error, Map.of(), List.of(), List.of());
        }
    }

    /** The offsets one producer's open transaction committed, by group and partition. Immutable. */
    public record PendingOffsets(Map<String, Map<TopicPartition, CommittedOffset>> byGroup) {}

    private final ConcurrentHashMap<String, GroupOffsets> groups = new ConcurrentHashMap<>();
    /** Producer id → the offsets its open transaction committed (TxnOffsetCommit), until its marker. */
    private final ConcurrentHashMap<Long, PendingOffsets> pending = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, TxnRecord> txns = new ConcurrentHashMap<>();

    /** Computes the effect of {@code cmd} on the current state, without changing it. */
    public Change plan(OffsetsCommand cmd) {
        return switch (cmd.getCommandCase()) {
            case COMMIT -> commit(cmd.getCommit());
            case DELETE_OFFSETS -> deleteOffsets(cmd.getDeleteOffsets().getGroup(),
                    cmd.getDeleteOffsets().getPartitionsList());
            case DELETE_GROUP -> deleteGroup(cmd.getDeleteGroup().getGroup());
            case STORE_GROUP -> storeGroup(cmd.getStoreGroup().getGroup());
            case TXN_OFFSETS -> txnOffsets(cmd.getTxnOffsets());
            case STORE_TXN -> storeTxn(cmd.getStoreTxn().getTxn());
            case COMMAND_NOT_SET -> Change.refused("empty offsets command");
        };
    }

    private Change commit(CommitOffsets c) {
        String bad = badGroup(c.getGroup());
        if (bad != null) {
            return Change.refused(bad);
        }
        GroupOffsets before = groups.getOrDefault(c.getGroup(), GroupOffsets.EMPTY);
        Map<TopicPartition, CommittedOffset> offsets = new TreeMap<>(before.offsets());
        List<byte[][]> puts = new ArrayList<>();
        for (CommittedOffset o : c.getOffsetsList()) {
            String badOffset = badOffset(o);
            if (badOffset != null) {
                return Change.refused(badOffset);
            }
            TopicPartition tp = new TopicPartition(o.getTopic(), o.getPartition());
            offsets.put(tp, o);
            puts.add(new byte[][] {offsetKey(c.getGroup(), tp), o.toByteArray()});
        }
        GroupOffsets after = new GroupOffsets(before.record(), Collections.unmodifiableMap(offsets));
        return new Change(null, Map.of(c.getGroup(), after), puts, List.of());
    }

    private Change deleteOffsets(String group, List<TopicPartitionRef> refs) {
        GroupOffsets before = groups.get(group);
        if (before == null) {
            return new Change(null, Map.of(), List.of(), List.of());
        }
        Map<TopicPartition, CommittedOffset> offsets = new TreeMap<>(before.offsets());
        List<byte[]> deletes = new ArrayList<>();
        for (TopicPartitionRef r : refs) {
            TopicPartition tp = new TopicPartition(r.getTopic(), r.getPartition());
            if (offsets.remove(tp) != null) {
                deletes.add(offsetKey(group, tp));
            }
        }
        Map<String, GroupOffsets> touched = new TreeMap<>();
        touched.put(group, emptyToNull(new GroupOffsets(before.record(), Collections.unmodifiableMap(offsets))));
        return new Change(null, touched, List.of(), deletes);
    }

    private Change deleteGroup(String group) {
        GroupOffsets before = groups.get(group);
        if (before == null) {
            return new Change(null, Map.of(), List.of(), List.of());
        }
        List<byte[]> deletes = new ArrayList<>();
        before.offsets().keySet().forEach(tp -> deletes.add(offsetKey(group, tp)));
        if (before.record() != null) {
            deletes.add(groupKey(group));
        }
        Map<String, GroupOffsets> touched = new TreeMap<>();
        touched.put(group, null);
        return new Change(null, touched, List.of(), deletes);
    }

    private Change storeGroup(GroupRecord r) {
        String bad = badGroup(r.getGroup());
        if (bad != null) {
            return Change.refused(bad);
        }
        GroupOffsets before = groups.getOrDefault(r.getGroup(), GroupOffsets.EMPTY);
        // Generations only grow: a late record of an older generation must not roll the group back.
        if (before.record() != null && before.record().getGeneration() > r.getGeneration()) {
            return new Change(null, Map.of(), List.of(), List.of());
        }
        List<byte[][]> puts = new ArrayList<>();
        puts.add(new byte[][] {groupKey(r.getGroup()), r.toByteArray()});
        return new Change(null, Map.of(r.getGroup(), new GroupOffsets(r, before.offsets())), puts, List.of());
    }

    /**
     * TxnOffsetCommit: the offsets are kept aside under the producer until its transaction's marker; a later
     * commit of the same producer for the same (group, partition) replaces the earlier one.
     */
    private Change txnOffsets(TxnOffsets t) {
        String bad = badGroup(t.getGroup());
        if (bad == null && t.getProducerId() < 0) {
            bad = "transactional offsets without a producer id";
        }
        if (bad != null) {
            return Change.refused(bad);
        }
        PendingOffsets before = pending.get(t.getProducerId());
        Map<String, Map<TopicPartition, CommittedOffset>> byGroup = new TreeMap<>();
        if (before != null) {
            byGroup.putAll(before.byGroup());
        }
        Map<TopicPartition, CommittedOffset> offsets = new TreeMap<>(byGroup.getOrDefault(t.getGroup(), Map.of()));
        List<byte[][]> puts = new ArrayList<>();
        for (CommittedOffset o : t.getOffsetsList()) {
            String badOffset = badOffset(o);
            if (badOffset != null) {
                return Change.refused(badOffset);
            }
            TopicPartition tp = new TopicPartition(o.getTopic(), o.getPartition());
            offsets.put(tp, o);
            puts.add(new byte[][] {pendingKey(t.getProducerId(), t.getGroup(), tp), o.toByteArray()});
        }
        byGroup.put(t.getGroup(), Collections.unmodifiableMap(offsets));
        return new Change(null, Map.of(), puts, List.of(),
                Map.of(t.getProducerId(), new PendingOffsets(Collections.unmodifiableMap(byGroup))), Map.of());
    }

    /**
     * The offsets part of a transaction marker for {@code producerId} (applied on every partition; only a
     * {@code __consumer_offsets} one has any): a commit makes the producer's pending offsets committed, as a
     * CommitOffsets of them would; an abort drops them. Nothing pending: an empty change.
     */
    public Change planMarker(long producerId, boolean commit) {
        PendingOffsets p = pending.get(producerId);
        if (p == null) {
            return new Change(null, Map.of(), List.of(), List.of());
        }
        List<byte[][]> puts = new ArrayList<>();
        List<byte[]> deletes = new ArrayList<>();
        Map<String, GroupOffsets> touched = new TreeMap<>();
        p.byGroup().forEach((group, offsets) -> {
            offsets.keySet().forEach(tp -> deletes.add(pendingKey(producerId, group, tp)));
            if (commit) {
                GroupOffsets before = groups.getOrDefault(group, GroupOffsets.EMPTY);
                Map<TopicPartition, CommittedOffset> after = new TreeMap<>(before.offsets());
                offsets.forEach((tp, o) -> {
                    after.put(tp, o);
                    puts.add(new byte[][] {offsetKey(group, tp), o.toByteArray()});
                });
                touched.put(group, new GroupOffsets(before.record(), Collections.unmodifiableMap(after)));
            }
        });
        Map<Long, PendingOffsets> gone = new HashMap<>();
        gone.put(producerId, null);
        return new Change(null, touched, puts, deletes, gone, Map.of());
    }

    /** The transaction coordinator's record, stored whole (the coordinator validated it). */
    private Change storeTxn(TxnRecord r) {
        String id = r.getTransactionalId();
        if (id.isEmpty()) {
            return Change.refused("empty transactional id");
        }
        if (utf8(id).length > KEY_STRING_BYTES_MAX) {
            return Change.refused("transactional id longer than " + KEY_STRING_BYTES_MAX + " bytes");
        }
        List<byte[][]> puts = new ArrayList<>();
        puts.add(new byte[][] {txnKey(id), r.toByteArray()});
        return new Change(null, Map.of(), puts, List.of(), Map.of(), Map.of(id, r));
    }

    /** Publishes a planned change; call after its store writes succeeded. */
    public void install(Change change) {
        Invariants.check(change.error() == null, "installing a refused change: %s", change.error());
        change.groups().forEach((group, value) -> {
            if (value == null) {
                groups.remove(group);
            } else {
                groups.put(group, value);
            }
        });
        change.pending().forEach((producerId, value) -> {
            if (value == null) {
                pending.remove(producerId);
            } else {
                pending.put(producerId, value);
            }
        });
        txns.putAll(change.txns());
    }

    /** Replaces the whole state with what the store holds (open, restart, snapshot install). */
    public void load(Scanner store) {
        Map<String, GroupOffsets> loaded = new TreeMap<>();
        store.scan(new byte[] {GROUP}, (key, value) -> {
            GroupRecord r = parse(() -> GroupRecord.parseFrom(value));
            loaded.put(r.getGroup(), new GroupOffsets(r, Map.of()));
        });
        Map<String, Map<TopicPartition, CommittedOffset>> offsets = new TreeMap<>();
        store.scan(new byte[] {OFFSET}, (key, value) -> {
            ByteBuffer k = ByteBuffer.wrap(key, 1, key.length - 1);
            String group = readString(k);
            CommittedOffset o = parse(() -> CommittedOffset.parseFrom(value));
            offsets.computeIfAbsent(group, g -> new TreeMap<>()).put(new TopicPartition(o.getTopic(), o.getPartition()), o);
        });
        offsets.forEach((group, m) -> {
            GroupOffsets g = loaded.getOrDefault(group, GroupOffsets.EMPTY);
            loaded.put(group, new GroupOffsets(g.record(), Collections.unmodifiableMap(m)));
        });
        Map<Long, Map<String, Map<TopicPartition, CommittedOffset>>> loadedPending = new TreeMap<>();
        store.scan(new byte[] {PENDING}, (key, value) -> {
            ByteBuffer k = ByteBuffer.wrap(key, 1, key.length - 1);
            long producerId = k.getLong();
            String group = readString(k);
            CommittedOffset o = parse(() -> CommittedOffset.parseFrom(value));
            loadedPending.computeIfAbsent(producerId, p -> new TreeMap<>()).computeIfAbsent(group, g -> new TreeMap<>())
                    .put(new TopicPartition(o.getTopic(), o.getPartition()), o);
        });
        Map<String, TxnRecord> loadedTxns = new TreeMap<>();
        store.scan(new byte[] {TXN}, (key, value) -> {
            TxnRecord r = parse(() -> TxnRecord.parseFrom(value));
            loadedTxns.put(r.getTransactionalId(), r);
        });
        groups.clear();
        groups.putAll(loaded);
        pending.clear();
        loadedPending.forEach((producerId, byGroup) -> {
            byGroup.replaceAll((g, m) -> Collections.unmodifiableMap(m));
            pending.put(producerId, new PendingOffsets(Collections.unmodifiableMap(byGroup)));
        });
        txns.clear();
        txns.putAll(loadedTxns);
    }

    // ------------------------------------------------------------------------------------------------ reads

    @Override
    public Map<TopicPartition, CommittedOffset> committed(String group) {
        GroupOffsets g = groups.get(group);
        return g == null ? Map.of() : g.offsets();
    }

    @Override
    public Optional<GroupRecord> groupRecord(String group) {
        GroupOffsets g = groups.get(group);
        return g == null ? Optional.empty() : Optional.ofNullable(g.record());
    }

    @Override
    public Set<String> groups() {
        return Collections.unmodifiableSet(new TreeSet<>(groups.keySet()));
    }

    /** Looks through the open transactions with pending offsets here: few at a time on one partition. */
    @Override
    public boolean hasPendingTxnOffsets(String group, TopicPartition partition) {
        for (PendingOffsets p : pending.values()) {
            Map<TopicPartition, CommittedOffset> offsets = p.byGroup().get(group);
            if (offsets != null && offsets.containsKey(partition)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Optional<TxnRecord> transaction(String transactionalId) {
        return Optional.ofNullable(txns.get(transactionalId));
    }

    @Override
    public Map<String, TxnRecord> transactions() {
        return Collections.unmodifiableMap(new TreeMap<>(txns));
    }

    // ------------------------------------------------------------------------------------------------ keys

    static byte[] offsetKey(String group, TopicPartition tp) {
        byte[] g = utf8(group);
        byte[] t = utf8(tp.topic());
        return ByteBuffer.allocate(1 + 2 + g.length + 2 + t.length + 4).put(OFFSET)
                .putShort((short) g.length).put(g).putShort((short) t.length).put(t).putInt(tp.partition()).array();
    }

    static byte[] pendingKey(long producerId, String group, TopicPartition tp) {
        byte[] g = utf8(group);
        byte[] t = utf8(tp.topic());
        return ByteBuffer.allocate(1 + 8 + 2 + g.length + 2 + t.length + 4).put(PENDING).putLong(producerId)
                .putShort((short) g.length).put(g).putShort((short) t.length).put(t).putInt(tp.partition()).array();
    }

    static byte[] txnKey(String transactionalId) {
        byte[] id = utf8(transactionalId);
        return ByteBuffer.allocate(1 + 2 + id.length).put(TXN).putShort((short) id.length).put(id).array();
    }

    static byte[] groupKey(String group) {
        byte[] g = utf8(group);
        return ByteBuffer.allocate(1 + 2 + g.length).put(GROUP).putShort((short) g.length).put(g).array();
    }

    private static String readString(ByteBuffer b) {
        int len = Short.toUnsignedInt(b.getShort());
        byte[] s = new byte[len];
        b.get(s);
        return new String(s, StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String badGroup(String group) {
        if (group.isEmpty()) {
            return "empty group id";
        }
        return utf8(group).length > KEY_STRING_BYTES_MAX ? "group id longer than " + KEY_STRING_BYTES_MAX + " bytes" : null;
    }

    private static String badOffset(CommittedOffset o) {
        if (o.getTopic().isEmpty() || utf8(o.getTopic()).length > KEY_STRING_BYTES_MAX || o.getPartition() < 0
                || o.getOffset() < 0) {
            return "bad committed offset " + o.getTopic() + "-" + o.getPartition() + "@" + o.getOffset();
        }
        return null;
    }

    private static GroupOffsets emptyToNull(GroupOffsets g) {
        return g.record() == null && g.offsets().isEmpty() ? null : g;
    }

    private interface ProtoParse<T> {
        T parse() throws InvalidProtocolBufferException;
    }

    private static <T> T parse(ProtoParse<T> p) {
        try {
            return p.parse();
        } catch (InvalidProtocolBufferException e) {
            // The store holds only what apply wrote: an unreadable value is corruption, not input.
            throw new IllegalStateException("corrupt offsets store value", e);
        }
    }
}
