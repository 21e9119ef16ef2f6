package io.rlog.chaos.nemesis;

import io.rlog.chaos.history.Meta;
import io.rlog.chaos.history.Op;
import io.rlog.chaos.history.Outcome;
import io.rlog.chaos.history.Recorder;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Carries out a {@link Schedule} against a cluster and records every action in the history (process
 * {@link Meta#NEMESIS}). Faults may overlap; the nemesis tracks each node's condition so that it never resumes
 * a killed node or pauses a dead one, and skips what does not apply (recorded as INFO).
 *
 * <p>Restarts run in the background (a restarted node may need minutes to be healthy while a partition still
 * holds), so the timeline is not delayed; {@link #healAll} waits for them.
 */
public final class Nemesis implements AutoCloseable {
    enum Condition { UP, PAUSED, DOWN, STARTING }

    private final ClusterControl cluster;
    private final Recorder recorder;
    private final SplittableRandom random;
    private final Map<Integer, Condition> nodes = new HashMap<>();
    /** The cut links of each active network fault; the proxies enact their union. */
    private final Map<Fault, Set<Link>> activeCuts = new HashMap<>();
    private final Map<Fault, List<Integer>> touched = new HashMap<>();
    private final ExecutorService restarts = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "nemesis-restart");
        t.setDaemon(true);
        return t;
    });
    private final List<Future<?>> pending = new ArrayList<>();

    public Nemesis(ClusterControl cluster, Recorder recorder, long seed) {
        this.cluster = cluster;
        this.recorder = recorder;
        this.random = new SplittableRandom(seed);
        for (int k = 1; k <= cluster.nodes(); k++) {
            nodes.put(k, Condition.UP);
        }
    }

    /** Starts a fault now. */
    public synchronized void start(Fault f) {
        long t0 = recorder.now();
        List<Integer> targets = new ArrayList<>();
        String detail = "";
        String error = null;
        try {
            switch (f.kind()) {
                case KILL, PAUSE -> targets.addAll(processFault(f));
                case PARTITION, CLIENTS -> {
                    Set<Link> links = links(f);
                    activeCuts.put(f, links);
                    applyCuts(f.style());
                    targets.addAll(Topologies.nodes(links));
                    targets.remove((Integer) Link.CLIENTS);
                    detail = links.toString();
                }
            }
        } catch (Exception e) {
            error = e.toString();
        }
        touched.put(f, targets);
        record(t0, f.kind().id(), "start", targets, f + (detail.isEmpty() ? "" : " " + detail), error);
    }

    /** Heals one fault now: restarts what it killed, resumes what it paused, lifts its cuts. */
    public synchronized void heal(Fault f) {
        long t0 = recorder.now();
        List<Integer> targets = touched.getOrDefault(f, List.of());
        String error = null;
        try {
            switch (f.kind()) {
                case KILL -> targets.forEach(this::restartLater);
                case PAUSE -> {
                    for (int n : targets) {
                        resumeIfPaused(n);
                    }
                }
                case PARTITION, CLIENTS -> {
                    activeCuts.remove(f);
                    applyCuts(f.style());
                }
            }
        } catch (Exception e) {
            error = e.toString();
        }
        record(t0, f.kind().id(), "heal", targets, f.toString(), error);
    }

    /**
     * Heals everything: lifts every cut, resumes paused nodes, restarts dead ones, and waits (bounded) for the
     * restarts. Safe to call more than once.
     */
    public void healAll(long timeoutMs) throws InterruptedException {
        long t0 = recorder.now();
        List<Future<?>> waits;
        List<Integer> targets = new ArrayList<>();
        String error = null;
        synchronized (this) {
            activeCuts.clear();
            cluster.cut(Set.of(), CutStyle.STALL);
            for (int n : new TreeSet<>(nodes.keySet())) {
                try {
                    if (nodes.get(n) == Condition.PAUSED) {
                        targets.add(n);
                        resumeIfPaused(n);
                    } else if (nodes.get(n) == Condition.DOWN) {
                        targets.add(n);
                        restartLater(n);
                    }
                } catch (Exception e) {
                    error = e.toString();
                }
            }
            waits = new ArrayList<>(pending);
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        for (Future<?> w : waits) {
            try {
                w.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                error = e.toString();
            }
        }
        record(t0, "all", "heal", targets, "lift every cut, resume paused, restart killed", error);
    }

    private List<Integer> processFault(Fault f) throws Exception {
        List<Integer> chosen = choose(f.target(), f.kind() == FaultKind.KILL);
        List<Integer> done = new ArrayList<>();
        for (int n : chosen) {
            if (f.kind() == FaultKind.KILL) {
                if (nodes.get(n) == Condition.STARTING || nodes.get(n) == Condition.DOWN) {
                    continue;
                }
                cluster.kill(n);
                nodes.put(n, Condition.DOWN);
            } else {
                if (nodes.get(n) != Condition.UP) {
                    continue;
                }
                cluster.pause(n);
                nodes.put(n, Condition.PAUSED);
            }
            done.add(n);
        }
        return done;
    }

    /**
     * Nodes for a process fault, among running ones (so "pause one, then kill one" hits two nodes); only a kill
     * of all also takes paused ones.
     */
    private List<Integer> choose(Target target, boolean kill) {
        List<Integer> live = new ArrayList<>();
        nodes.forEach((n, c) -> {
            if (c == Condition.UP || (kill && target == Target.ALL && c == Condition.PAUSED)) {
                live.add(n);
            }
        });
        live.sort(Integer::compare);
        int n = cluster.nodes();
        return switch (target) {
            case ALL -> live;
            case LEADER -> cluster.leaderOf(0).stream().filter(live::contains).boxed().findFirst()
                    .map(List::of).orElseGet(() -> pick(live, 1));
            case MINORITY -> pick(live, Math.max(1, (n - 1) / 2));
            default -> pick(live, 1);
        };
    }

    private Set<Link> links(Fault f) {
        int n = cluster.nodes();
        List<Integer> all = shuffled(n);
        int leader = cluster.leaderOf(0).orElse(all.get(0));
        List<Integer> others = new ArrayList<>(all);
        others.remove((Integer) leader);
        return switch (f.target()) {
            case ISOLATE_ONE -> Topologies.isolate(List.of(all.get(0)), n);
            case ISOLATE_LEADER -> Topologies.isolate(List.of(leader), n);
            case HALVES -> Topologies.isolate(all.subList(0, n / 2), n);
            case RING -> n >= 5 ? Topologies.majoritiesRing(all) : Topologies.isolate(all.subList(0, n / 2), n);
            case BRIDGE -> Topologies.bridge(all.get(0), all.subList(1, n));
            case LEADER_CANNOT_SEND -> Topologies.oneWay(List.of(leader), n);
            case LEADER_CANNOT_HEAR -> Topologies.oneWay(others, n).stream()
                    .filter(l -> l.to() == leader).collect(java.util.stream.Collectors.toCollection(TreeSet::new));
            case LEADER -> Topologies.clientsFrom(leader);
            case ONE -> Topologies.clientsFrom(all.get(0));
            default -> throw new IllegalArgumentException(f.kind().id() + " cannot target " + f.target().id());
        };
    }

    private void applyCuts(CutStyle style) {
        Set<Link> union = new TreeSet<>();
        activeCuts.values().forEach(union::addAll);
        cluster.cut(union, style);
    }

    private void resumeIfPaused(int n) throws Exception {
        if (nodes.get(n) == Condition.PAUSED) {
            cluster.resume(n);
            nodes.put(n, Condition.UP);
        }
    }

    private void restartLater(int n) {
        if (nodes.get(n) != Condition.DOWN) {
            return;
        }
        nodes.put(n, Condition.STARTING);
        pending.add(restarts.submit(() -> {
            long t0 = recorder.now();
            String error = null;
            try {
                cluster.restart(n);
            } catch (Exception e) {
                error = e.getClass().getSimpleName() + ": " + firstLine(e.getMessage());
            }
            synchronized (this) {
                nodes.put(n, Condition.UP); // a restart that timed out on health leaves the node running
            }
            record(t0, "kill", "restarted", List.of(n), "node " + n + " restarted", error);
        }));
    }

    private List<Integer> pick(List<Integer> from, int count) {
        List<Integer> copy = new ArrayList<>(from);
        List<Integer> out = new ArrayList<>();
        while (out.size() < count && !copy.isEmpty()) {
            out.add(copy.remove(random.nextInt(copy.size())));
        }
        out.sort(Integer::compare);
        return out;
    }

    private List<Integer> shuffled(int n) {
        List<Integer> all = new ArrayList<>();
        for (int k = 1; k <= n; k++) {
            all.add(k);
        }
        List<Integer> copy = new ArrayList<>(all);
        for (int i = copy.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Integer tmp = copy.get(i);
            copy.set(i, copy.get(j));
            copy.set(j, tmp);
        }
        return copy;
    }

    private void record(long t0, String fault, String phase, List<Integer> targets, String detail, String error) {
        recorder.complete(Meta.NEMESIS, error == null ? Outcome.OK : Outcome.INFO, t0, error,
                m -> new Op.Nemesis(m, fault, phase, targets, detail));
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }

    @Override
    public void close() {
        restarts.shutdownNow();
    }
}
