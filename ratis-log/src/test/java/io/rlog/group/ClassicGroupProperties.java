package io.rlog.group;

import io.rlog.group.Messages.JoinReply;
import io.rlog.group.Messages.JoinRequest;
import io.rlog.group.Messages.JoinResult;
import io.rlog.group.Messages.JoinedMember;
import io.rlog.group.Messages.Reply;
import io.rlog.group.Messages.SyncReply;
import io.rlog.group.Messages.SyncRequest;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A seeded simulation of Kafka-like clients against one {@link ClassicGroup}: clients join (two-step), lead and
 * assign, sync, heartbeat, commit with right and wrong generations, leave, crash (stop talking) and come back as
 * static members, while time moves by random steps. Invariants are checked after every step; a failure names the
 * seed that replays it.
 */
class ClassicGroupProperties {

    static final int PARTITIONS = 6;
    static final int SESSION_MS = 6_000;
    static final int REBALANCE_MS = 10_000;

    /** One simulated consumer. */
    static final class Client {
        final String clientId;
        final String instanceId;
        String memberId = "";
        int generation = -1;
        boolean crashed;
        boolean joining;
        boolean syncing;
        boolean active;

        Client(String clientId, String instanceId) {
            this.clientId = clientId;
            this.instanceId = instanceId;
        }
    }

    static final class Sim {
        final Random random;
        final long seed;
        final ClassicGroup group;
        final List<Client> clients = new ArrayList<>();
        final Map<Long, Client> joins = new HashMap<>();
        final Map<Long, Client> syncs = new HashMap<>();
        /** generation → member → partitions it was given by a successful SyncGroup. */
        final Map<Integer, Map<String, Set<Integer>>> handedOut = new HashMap<>();
        long now = 1_000_000;
        long nextRequestId = 1;
        int lastGeneration;
        int counter;

        Sim(long seed) {
            this.seed = seed;
            this.random = new Random(seed);
            this.group = new ClassicGroup("g", GroupConfig.defaults().withInitialRebalanceDelayMs(random.nextInt(3) * 1000),
                    () -> "u" + (counter++));
            int n = 2 + random.nextInt(4);
            for (int i = 0; i < n; i++) {
                clients.add(new Client("c" + i, random.nextInt(3) == 0 ? "static-" + i : null));
            }
        }

        void step() {
            now += random.nextInt(2_500);
            Client c = clients.get(random.nextInt(clients.size()));
            int action = random.nextInt(10);
            if (c.crashed) {
                if (action == 0) {
                    // The process comes back: a fresh client instance (same static id, if any).
                    c.crashed = false;
                    c.memberId = "";
                    c.generation = -1;
                    c.active = false;
                    c.joining = false;
                    c.syncing = false;
                }
            } else if (!c.active && !c.joining) {
                join(c);
            } else if (action <= 4 && c.active && !c.joining && !c.syncing) {
                short code = group.heartbeat(c.memberId, c.instanceId, c.generation, now);
                if (code == GroupErrors.REBALANCE_IN_PROGRESS || code == GroupErrors.ILLEGAL_GENERATION) {
                    join(c);
                } else if (code == GroupErrors.UNKNOWN_MEMBER_ID || code == GroupErrors.FENCED_INSTANCE_ID) {
                    c.memberId = "";
                    c.active = false;
                    join(c);
                }
            } else if (action == 5) {
                int generation = c.generation + random.nextInt(3) - 1;
                short code = group.validateCommit(c.memberId, c.instanceId, generation, now);
                if (code == GroupErrors.NONE) {
                    assertTrue(generation == group.generation() || (generation < 0 && group.state() == GroupState.EMPTY),
                            "a commit of generation " + generation + " passed while the group is at "
                                    + group.generation() + " " + group.state() + " (seed " + seed + ")");
                }
            } else if (action == 6 && c.active && !c.joining && !c.syncing) {
                group.leave(c.memberId, c.instanceId, "test", now);
                c.active = false;
                c.memberId = "";
            } else if (action == 7) {
                c.crashed = true;
            } else {
                group.tick(now);
            }
            drain();
            check();
        }

        void join(Client c) {
            long id = nextRequestId++;
            joins.put(id, c);
            c.joining = true;
            c.syncing = false;
            group.join(id, new JoinRequest(c.memberId, c.instanceId, "consumer",
                    List.of(new Protocol("range", new byte[] {1})),
                    SESSION_MS, REBALANCE_MS, c.clientId, "/127.0.0.1", c.instanceId == null, null), now);
        }

        void drain() {
            List<Reply> replies = group.drainReplies();
            while (!replies.isEmpty()) {
                for (Reply r : replies) {
                    if (r instanceof JoinReply j) {
                        Client c = joins.remove(j.requestId());
                        if (c == null) {
                            fail("a join reply to an unknown or already answered request (seed " + seed + ")");
                        }
                        onJoined(c, j.result());
                    } else if (r instanceof SyncReply s) {
                        Client c = syncs.remove(s.requestId());
                        if (c == null) {
                            fail("a sync reply to an unknown or already answered request (seed " + seed + ")");
                        }
                        c.syncing = false;
                        if (s.result().errorCode() == GroupErrors.NONE) {
                            Set<Integer> owned = new HashSet<>();
                            for (byte b : s.result().assignment()) {
                                owned.add((int) b);
                            }
                            // A static member's new incarnation takes over its old one's assignment (the old one is
                            // fenced): one owner, so the key is the instance id.
                            String owner = c.instanceId != null ? c.instanceId : c.memberId;
                            handedOut.computeIfAbsent(c.generation, g -> new HashMap<>()).put(owner, owned);
                            c.active = true;
                        } else if (s.result().errorCode() == GroupErrors.REBALANCE_IN_PROGRESS
                                || s.result().errorCode() == GroupErrors.ILLEGAL_GENERATION) {
                            join(c);
                        } else {
                            c.memberId = "";
                            c.active = false;
                        }
                    }
                }
                replies = group.drainReplies();
            }
        }

        void onJoined(Client c, JoinResult r) {
            c.joining = false;
            if (c.crashed) {
                return;
            }
            if (r.errorCode() == GroupErrors.MEMBER_ID_REQUIRED) {
                c.memberId = r.memberId();
                join(c);
                return;
            }
            if (r.errorCode() != GroupErrors.NONE) {
                c.memberId = r.errorCode() == GroupErrors.UNKNOWN_MEMBER_ID ? "" : c.memberId;
                c.active = false;
                return;
            }
            c.memberId = r.memberId();
            c.generation = r.generation();
            Map<String, byte[]> assignment = new LinkedHashMap<>();
            if (r.leaderId().equals(r.memberId())) {
                List<JoinedMember> members = r.members();
                Map<String, List<Byte>> parts = new LinkedHashMap<>();
                members.forEach(m -> parts.put(m.memberId(), new ArrayList<>()));
                for (int p = 0; p < PARTITIONS; p++) {
                    parts.get(members.get(p % members.size()).memberId()).add((byte) p);
                }
                parts.forEach((m, l) -> {
                    byte[] b = new byte[l.size()];
                    for (int i = 0; i < b.length; i++) {
                        b[i] = l.get(i);
                    }
                    assignment.put(m, b);
                });
            }
            long id = nextRequestId++;
            syncs.put(id, c);
            c.syncing = true;
            group.sync(id, new SyncRequest(c.memberId, c.instanceId, c.generation, "consumer", "range", assignment), now);
        }

        void check() {
            assertTrue(group.generation() >= lastGeneration, "generation went back (seed " + seed + ")");
            lastGeneration = group.generation();
            if (group.state() == GroupState.STABLE) {
                Set<Byte> seen = new HashSet<>();
                for (byte[] a : group.assignments().values()) {
                    for (byte b : a) {
                        assertTrue(seen.add(b), "partition " + b + " assigned twice in a Stable group (seed " + seed + ")");
                    }
                }
            }
            for (Map.Entry<Integer, Map<String, Set<Integer>>> gen : handedOut.entrySet()) {
                Set<Integer> seen = new HashSet<>();
                for (Set<Integer> owned : gen.getValue().values()) {
                    for (int p : owned) {
                        assertTrue(seen.add(p), "partition " + p + " handed to two members in generation "
                                + gen.getKey() + " (seed " + seed + ")");
                    }
                }
            }
            if (group.leaderId() != null) {
                assertTrue(group.assignments().containsKey(group.leaderId()), "the leader is a member (seed " + seed + ")");
            }
            assertEquals(group.memberCount(), group.assignments().size());
        }
    }

    @Property(tries = 150)
    void generationsFenceAndNoPartitionHasTwoOwners(@ForAll long seed) {
        Sim sim = new Sim(seed);
        for (int i = 0; i < 400; i++) {
            sim.step();
        }
    }

    /** Quiet clients that only heartbeat converge: one Stable generation in which every partition has an owner. */
    @Property(tries = 60)
    void heartbeatingMembersConvergeToOneStableGeneration(@ForAll long seed) {
        Sim sim = new Sim(seed);
        for (int i = 0; i < 100; i++) {
            sim.step();
        }
        // From now on nobody crashes or leaves: clients only heartbeat (and rejoin when told), every 500 ms.
        for (Client c : sim.clients) {
            if (c.crashed) {
                c.crashed = false;
                c.memberId = "";
                c.active = false;
                c.joining = false;
                c.syncing = false;
            }
        }
        for (int round = 0; round < 200; round++) {
            sim.now += 500;
            sim.group.tick(sim.now);
            sim.drain();
            for (Client c : sim.clients) {
                if (!c.active && !c.joining && !c.syncing) {
                    sim.join(c);
                } else if (c.active && !c.joining && !c.syncing) {
                    short code = sim.group.heartbeat(c.memberId, c.instanceId, c.generation, sim.now);
                    if (code == GroupErrors.REBALANCE_IN_PROGRESS || code == GroupErrors.ILLEGAL_GENERATION) {
                        sim.join(c);
                    } else if (code != GroupErrors.NONE) {
                        c.memberId = "";
                        c.active = false;
                    }
                }
                sim.drain();
            }
            sim.check();
        }
        assertEquals(GroupState.STABLE, sim.group.state(), "seed " + seed);
        assertEquals(sim.clients.size(), sim.group.memberCount(), "seed " + seed);
        Set<Byte> owned = new HashSet<>();
        sim.group.assignments().values().forEach(a -> {
            for (byte b : a) {
                owned.add(b);
            }
        });
        assertEquals(PARTITIONS, owned.size(), "every partition has an owner (seed " + seed + ")");
    }
}
