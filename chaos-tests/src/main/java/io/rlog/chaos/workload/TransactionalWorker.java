package io.rlog.chaos.workload;

import io.rlog.chaos.history.Op;
import io.rlog.chaos.history.Outcome;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownProducerIdException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One transactional producer thread (KIP-98, transaction version 1). Its {@code transactional.id} is fixed for the
 * run; each instance (a process in the history) calls initTransactions, which fences the instance before it and
 * aborts that one's open transaction, then loops: beginTransaction, send 1 to {@link #VALUES_MAX} unique values to
 * random partitions, then commit, or abort one time in {@link #ABORT_ONE_IN} (the seeded random decides), and
 * record the transaction as one {@link Op.Txn}.
 *
 * <p>Errors, as KafkaProducer's javadoc sorts them: fenced, epoch, sequence, authorization and version errors are
 * fatal to the instance, which is closed and replaced by a new one (a new process). Other errors are abortable:
 * abortTransaction, and the instance carries on. A {@link TimeoutException} from commitTransaction or
 * abortTransaction leaves the call to be made again; after {@link #END_ATTEMPTS} the instance is replaced.
 *
 * <p>Outcomes: OK only when commitTransaction returned. FAIL when commitTransaction was never called (aborted by
 * us, or the instance died or crashed first: its coordinator aborts the transaction), or when it threw an abortable
 * error and abortTransaction then returned (the coordinator accepted the abort, so it did not commit). INFO when
 * commitTransaction was called and neither happened.
 *
 * <p>Crashes: now and then the instance is closed with zero timeout right after a send, mid-transaction. The
 * next instance's initTransactions aborts that transaction; when the run stops first, the coordinator's timeout
 * ({@link ClientConfigs#TRANSACTION_TIMEOUT_MS}) does. Half the workers (the seeded random decides) also leave one
 * transaction open on purpose when the run stops, so that the coordinator's timeout is tested in every run that
 * has a transactional producer.
 */
public final class TransactionalWorker implements Runnable {
    static final int VALUES_MAX = 5;
    static final int ABORT_ONE_IN = 4;
    /** commitTransaction / abortTransaction / initTransactions are called again after a timeout, this many times in all. */
    static final int END_ATTEMPTS = 2;
    private static final Duration GRACEFUL_CLOSE = Duration.ofSeconds(12);
    /** Before a new instance, after one whose initTransactions failed. */
    private static final long INIT_BACKOFF_MS = 500;

    private final WorkloadContext ctx;
    private final String transactionalId;

    /** What became of the instance after a transaction. */
    private enum Fate { ALIVE, REPLACE, CRASHED }

    /** A value handed to the producer; the callback fills in the acknowledged offset on the producer's I/O thread. */
    private static final class Pending {
        final int partition;
        final long value;
        volatile long offset = -1;

        Pending(int partition, long value) {
            this.partition = partition;
            this.value = value;
        }
    }

    public TransactionalWorker(WorkloadContext ctx, String transactionalId) {
        this.ctx = ctx;
        this.transactionalId = transactionalId;
    }

    @Override
    public void run() {
        SplittableRandom r = ctx.randomForWorker();
        long intervalMs = Math.max(1, 1000 / ctx.params().sendsPerSecond());
        boolean abandonAtStop = r.nextBoolean();
        try {
            while (!ctx.isStopped()) {
                int process = ctx.nextProcess();
                long crashAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ctx.crashAfterMs(r));
                KafkaProducer<String, String> producer = new KafkaProducer<>(
                        ClientConfigs.transactionalProducer(ctx.bootstrap(), transactionalId));
                Fate fate = Fate.REPLACE;
                try {
                    if (init(producer)) {
                        fate = Fate.ALIVE;
                        while (fate == Fate.ALIVE && !ctx.isStopped()) {
                            fate = transaction(producer, process, r, crashAt, intervalMs);
                            ctx.pauseDeliberately(intervalMs);
                        }
                        if (fate == Fate.ALIVE && abandonAtStop) {
                            fate = abandon(producer, process, r);
                        }
                    } else {
                        ctx.pauseDeliberately(INIT_BACKOFF_MS); // a broker that refuses at once must not spin us
                    }
                } finally {
                    // A graceful close of an instance that is still in a transaction aborts it (the Sender does).
                    producer.close(fate == Fate.CRASHED ? Duration.ZERO : GRACEFUL_CLOSE);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** initTransactions, called again after a timeout; false if the instance must be replaced. */
    private boolean init(KafkaProducer<String, String> producer) {
        for (int attempt = 0; attempt < END_ATTEMPTS && !ctx.isStopped(); attempt++) {
            try {
                producer.initTransactions();
                return true;
            } catch (TimeoutException e) {
                // the coordinator was not reachable in time: the same call may be made again
            } catch (RuntimeException e) {
                return false;
            }
        }
        return false;
    }

    private Fate transaction(KafkaProducer<String, String> producer, int process, SplittableRandom r, long crashAt,
                             long intervalMs) throws InterruptedException {
        int count = 1 + r.nextInt(VALUES_MAX);
        boolean commit = r.nextInt(ABORT_ONE_IN) != 0;
        long t0 = ctx.recorder().now();
        try {
            producer.beginTransaction();
        } catch (RuntimeException e) {
            return Fate.REPLACE; // nothing was sent: no transaction to record
        }
        List<Pending> writes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Pending w = new Pending(r.nextInt(ctx.params().partitions()), ctx.nextValue());
            try {
                producer.send(new ProducerRecord<>(ctx.topic(), w.partition, "k" + w.partition,
                        Long.toString(w.value)), (md, e) -> {
                            if (e == null && md.hasOffset()) {
                                w.offset = md.offset();
                            }
                        });
            } catch (RuntimeException e) {
                // Not accepted, so not part of the transaction; the transaction is given up.
                return fatal(e) ? record(process, Outcome.FAIL, t0, "none", e, writes, Fate.REPLACE)
                        : abort(producer, process, t0, writes, e, false);
            }
            writes.add(w);
            if (System.nanoTime() - crashAt > 0 && !ctx.isStopped()) {
                return record(process, Outcome.FAIL, t0, "none", "client crash before the end of the transaction",
                        writes, Fate.CRASHED);
            }
            if (i + 1 < count) {
                try {
                    ctx.pauseDeliberately(intervalMs); // pacing; after a stop the transaction is still finished
                } catch (InterruptedException e) {
                    record(process, Outcome.FAIL, t0, "none", "interrupted before the end of the transaction",
                            writes, Fate.REPLACE);
                    throw e;
                }
            }
        }
        return commit ? commit(producer, process, t0, writes) : abort(producer, process, t0, writes, null, false);
    }

    /**
     * At the run's stop: opens a transaction, writes one value and crashes, with no successor to abort it. Only
     * the coordinator's timeout ends it, and the read_committed final read waits for that (or finds it hanging).
     */
    private Fate abandon(KafkaProducer<String, String> producer, int process, SplittableRandom r) {
        long t0 = ctx.recorder().now();
        List<Pending> writes = new ArrayList<>();
        try {
            producer.beginTransaction();
            Pending w = new Pending(r.nextInt(ctx.params().partitions()), ctx.nextValue());
            producer.send(new ProducerRecord<>(ctx.topic(), w.partition, "k" + w.partition, Long.toString(w.value)),
                    (md, e) -> {
                        if (e == null && md.hasOffset()) {
                            w.offset = md.offset();
                        }
                    });
            writes.add(w);
            producer.flush(); // written, so the partition has an open transaction: its last stable offset waits
        } catch (RuntimeException e) {
            return record(process, Outcome.FAIL, t0, "none", e, writes, Fate.CRASHED);
        }
        return record(process, Outcome.FAIL, t0, "none", "abandoned at the end of the run, for the coordinator's"
                + " timeout to abort", writes, Fate.CRASHED);
    }

    private Fate commit(KafkaProducer<String, String> producer, int process, long t0, List<Pending> writes) {
        RuntimeException last = null;
        for (int attempt = 0; attempt < END_ATTEMPTS; attempt++) {
            try {
                producer.commitTransaction();
                return record(process, Outcome.OK, t0, "commit", (String) null, writes, Fate.ALIVE);
            } catch (TimeoutException e) {
                last = e; // the commit may or may not be under way; only the same call may follow
            } catch (RuntimeException e) {
                if (fatal(e)) {
                    return record(process, Outcome.INFO, t0, "commit", e, writes, Fate.REPLACE);
                }
                return abort(producer, process, t0, writes, e, true);
            }
        }
        return record(process, Outcome.INFO, t0, "commit", last, writes, Fate.REPLACE);
    }

    /**
     * Aborts the transaction, after {@code cause} (null when the workload chose to abort).
     *
     * @param commitCalled commitTransaction was called before: if the abort is not confirmed, the outcome is unknown
     */
    private Fate abort(KafkaProducer<String, String> producer, int process, long t0, List<Pending> writes,
                       RuntimeException cause, boolean commitCalled) {
        RuntimeException last = cause;
        for (int attempt = 0; attempt < END_ATTEMPTS; attempt++) {
            try {
                producer.abortTransaction();
                return record(process, Outcome.FAIL, t0, "abort", cause, writes, Fate.ALIVE);
            } catch (TimeoutException e) {
                last = e;
            } catch (RuntimeException e) {
                last = e;
                break;
            }
        }
        return record(process, commitCalled ? Outcome.INFO : Outcome.FAIL, t0, "abort", last, writes, Fate.REPLACE);
    }

    /** Errors after which the instance cannot go on (KafkaProducer's javadoc); the rest are abortable. */
    static boolean fatal(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ProducerFencedException || c instanceof InvalidProducerEpochException
                    || c instanceof OutOfOrderSequenceException || c instanceof UnknownProducerIdException
                    || c instanceof AuthorizationException || c instanceof UnsupportedVersionException
                    || c instanceof IllegalStateException || c instanceof InterruptException) {
                return true;
            }
        }
        return !(e instanceof KafkaException);
    }

    private Fate record(int process, Outcome outcome, long t0, String end, Throwable error, List<Pending> writes,
                        Fate fate) {
        return record(process, outcome, t0, end, error == null ? null : Errors.describe(error), writes, fate);
    }

    private Fate record(int process, Outcome outcome, long t0, String end, String error, List<Pending> writes,
                        Fate fate) {
        List<Op.Txn.Write> ws = writes.stream().map(w -> new Op.Txn.Write(w.partition, w.value, w.offset)).toList();
        ctx.recorder().complete(process, outcome, t0, error, m -> new Op.Txn(m, transactionalId, end, ws));
        return fate;
    }
}
