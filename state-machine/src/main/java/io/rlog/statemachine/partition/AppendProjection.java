package io.rlog.statemachine.partition;

import io.rlog.proto.PartitionCommand;
import org.apache.ratis.protocol.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * A leader's look-ahead: what its entries will do once applied, known as soon as each one enters its log. This
 * is what lets acks=1 be answered then (DESIGN, the write path, step 5): apply assigns offsets, and the leader
 * runs the same decisions ({@link PartitionLog}) on a copy of its applied log, the shadow, in log order, as each
 * entry gets its index. Apply later makes the same decisions, in the same order, from the same state, so it
 * reaches the same outcomes, unless the entry never commits (the leader is deposed first), which is the write
 * Kafka's acks=1 may lose too.
 *
 * <p>In step only from a known point. The entries before this leader's own may be of an earlier term, with
 * outcomes nobody knows until they are applied. So the first entry that asks for a reply on append, in a term
 * or after a reset, waits until apply has reached the entry before it; the shadow is then copied from the applied
 * log, the entries appended meanwhile are decided on it (answering those that asked), and every later entry is
 * decided as it is appended. Entries that Ratis appends itself (a new leader's first entry, configuration
 * changes) change nothing here. Until some entry asks, nothing is tracked and nothing is copied.
 *
 * <p>A check: apply compares each outcome with the one projected for the same index. A difference would be a
 * bug (a decision that is not a function of the log and the entry); it is logged, counted, and the projection
 * starts again from the applied log.
 *
 * <p>An entry must be passed to {@link #appended} only if it will be in the log at that index: Ratis refuses an
 * entry that is too large after giving it its index, and the next entry then takes the same index, so the state
 * machine resets instead of passing an entry that large. Ratis's other failures at that point close the log, which
 * ends the leadership like a crash of the leader (the acks=1 loss).
 *
 * <p>Threads: {@link #appended} runs under Ratis's log lock, in log order; {@link #applied} on the apply thread;
 * {@link #reset} on any. Replies are completed on those threads: their dependents must run on an executor.
 */
final class AppendProjection {

    private static final Logger LOG = LoggerFactory.getLogger(AppendProjection.class);

    /**
     * Decides a command against a log and changes the log as apply would; returns the reply apply would give, or
     * null for a command that leaves the log alone.
     */
    interface Decider {
        Message decide(PartitionLog log, PartitionCommand command);
    }

    private record Entry(long index, PartitionCommand command, CompletableFuture<Message> reply) {}

    private record Projected(long index, Message reply) {}

    private final Decider decider;
    /** The applied log: written by the apply thread, read here only under this object's lock (see below). */
    private final PartitionLog applied;
    /** The last index {@link #applied} was called with. */
    private long appliedIndex = -1;
    /** The term of the entries tracked; -1 when nothing is. */
    private long term = -1;
    /** The last index seen by {@link #appended} in this term. */
    private long lastIndex = -1;
    /** The log as it will be after the last appended entry; null while not in step. */
    private PartitionLog shadow;
    /** While not in step: apply must reach this index before the shadow can be copied. */
    private long catchUpIndex = -1;
    /** Entries appended while not in step, in log order. */
    private final ArrayDeque<Entry> unprojected = new ArrayDeque<>();
    /** Outcomes projected and not yet applied, in log order, for the check. */
    private final ArrayDeque<Projected> projected = new ArrayDeque<>();
    private long mismatches;

    AppendProjection(Decider decider, PartitionLog applied) {
        this.decider = decider;
        this.applied = applied;
    }

    /**
     * Entry {@code index} of {@code term} is entering the leader's log. {@code reply}, when not null, is
     * completed with the entry's outcome as soon as it is known: now when in step, else once apply catches up.
     */
    synchronized void appended(long term, long index, PartitionCommand command, CompletableFuture<Message> reply) {
        if (term != this.term || index <= lastIndex) {
            // A new term, or an index given out again (an append that failed after taking it): nothing tracked
            // before can be trusted.
            clear();
            this.term = term;
        }
        lastIndex = index;
        if (shadow != null) {
            project(index, command, reply);
        } else if (unprojected.isEmpty() && reply != null && appliedIndex == index - 1) {
            // Everything before this entry is applied, and apply cannot move before it is in the log, so the
            // applied log holds still while it is copied (apply changes it before it calls applied(), under this
            // lock, which orders those changes before this read).
            shadow = applied.copy();
            project(index, command, reply);
        } else if (reply != null || !unprojected.isEmpty()) {
            if (unprojected.isEmpty()) {
                catchUpIndex = index - 1;
            }
            unprojected.add(new Entry(index, command, reply));
        }
    }

    /**
     * Apply has reached {@code index}, and the applied log holds its effect; {@code outcome} is its reply, or null
     * for an entry with no command (Ratis's own, or one replayed).
     */
    synchronized void applied(long index, Message outcome) {
        appliedIndex = index;
        if (term < 0) {
            return;
        }
        while (!projected.isEmpty() && projected.peek().index() <= index) {
            Projected p = projected.poll();
            if (p.index() == index && outcome != null && !p.reply().getContent().equals(outcome.getContent())) {
                mismatches++;
                LOG.error("entry {} was projected with a different outcome than apply gave it; starting again", index);
                clear();
                return;
            }
        }
        if (shadow == null && !unprojected.isEmpty() && index >= catchUpIndex) {
            shadow = applied.copy();
            for (Entry e : unprojected) {
                if (e.index() > index) {
                    project(e.index(), e.command(), e.reply());
                }
            }
            unprojected.clear();
        }
    }

    private void project(long index, PartitionCommand command, CompletableFuture<Message> reply) {
        Message outcome = decider.decide(shadow, command);
        if (outcome == null) {
            return; // a command that leaves the log alone (consumer-group state): nothing to tell or check
        }
        projected.add(new Projected(index, outcome));
        if (reply != null) {
            reply.complete(outcome);
        }
    }

    /** Forgets everything (a leader change, a new store): the next entry that asks starts again. */
    synchronized void reset() {
        clear();
    }

    private void clear() {
        term = -1;
        lastIndex = -1;
        shadow = null;
        catchUpIndex = -1;
        unprojected.clear();
        projected.clear();
    }

    /** Whether the look-ahead is in step now (for tests). */
    synchronized boolean inStep() {
        return shadow != null;
    }

    /** How many applied outcomes differed from their projection (for tests and logs; always 0 unless a bug). */
    synchronized long mismatches() {
        return mismatches;
    }
}
