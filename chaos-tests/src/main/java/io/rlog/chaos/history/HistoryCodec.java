package io.rlog.chaos.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One JSON object per line. Common fields: {@code i} (index), {@code p} (process), {@code type},
 * {@code outcome}, {@code t0}/{@code t1} (invoke/complete nanos since the run started), {@code error}.
 * Records (and a transaction's writes) are {@code [partition, offset, value]} triples; per-partition maps have
 * the partition as key.
 * The field names are short on purpose: a run writes tens of thousands of lines.
 */
public final class HistoryCodec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private HistoryCodec() {}

    public static String encode(RunInfo info) {
        ObjectNode n = JSON.createObjectNode().put("type", "run").put("run", info.run()).put("seed", info.seed())
                .put("schedule", info.schedule());
        ObjectNode params = n.putObject("params");
        info.params().forEach(params::put);
        return n.toString();
    }

    public static String encode(Op op) {
        Meta m = op.meta();
        ObjectNode n = JSON.createObjectNode().put("i", m.index()).put("p", m.process()).put("type", typeOf(op))
                .put("outcome", m.outcome().json()).put("t0", m.invokeNanos()).put("t1", m.completeNanos());
        if (m.error() != null) {
            n.put("error", m.error());
        }
        if (op instanceof Op.Send s) {
            n.put("part", s.partition()).put("value", s.value()).put("offset", s.offset())
                    .put("acks", s.acks().config()).put("idem", s.idempotent());
        } else if (op instanceof Op.Poll p) {
            if (p.readCommitted()) {
                n.put("isolation", "read_committed");
            }
            putRecords(n, p.records());
        } else if (op instanceof Op.Assign a) {
            putMap(n, "positions", a.positions());
        } else if (op instanceof Op.Commit c) {
            n.put("group", c.group());
            putMap(n, "offsets", c.offsets());
        } else if (op instanceof Op.CommittedRead c) {
            n.put("group", c.group());
            putMap(n, "offsets", c.offsets());
        } else if (op instanceof Op.FinalRead f) {
            n.put("reader", f.reader()).put("complete", f.complete());
            if (f.readCommitted()) {
                n.put("isolation", "read_committed"); // absent: read_uncommitted, as in histories before it
            }
            putMap(n, "end", f.endOffsets());
            putRecords(n, f.records());
        } else if (op instanceof Op.Txn t) {
            n.put("tid", t.transactionalId()).put("end", t.end());
            ArrayNode a = n.putArray("writes");
            for (Op.Txn.Write w : t.writes()) {
                a.addArray().add(w.partition()).add(w.offset()).add(w.value());
            }
        } else if (op instanceof Op.LeaderSeen l) {
            n.put("part", l.partition()).put("leader", l.leader());
        } else if (op instanceof Op.Nemesis e) {
            n.put("fault", e.fault()).put("phase", e.phase()).put("detail", e.detail());
            ArrayNode t = n.putArray("targets");
            e.targets().forEach(t::add);
        }
        return n.toString();
    }

    /** The header of a history line, or null when the line is an operation. */
    public static RunInfo decodeInfo(String line) {
        JsonNode n = parse(line);
        if (!"run".equals(n.path("type").asText())) {
            return null;
        }
        Map<String, String> params = new TreeMap<>();
        n.path("params").fields().forEachRemaining(e -> params.put(e.getKey(), e.getValue().asText()));
        return new RunInfo(n.path("run").asText(), n.path("seed").asLong(), n.path("schedule").asText(), params);
    }

    public static Op decode(String line) {
        JsonNode n = parse(line);
        Meta m = new Meta(n.path("i").asLong(), n.path("p").asInt(), Outcome.parse(n.path("outcome").asText("ok")),
                n.path("t0").asLong(), n.path("t1").asLong(n.path("t0").asLong()),
                n.hasNonNull("error") ? n.get("error").asText() : null);
        String type = n.path("type").asText();
        return switch (type) {
            case "send" -> new Op.Send(m, n.path("part").asInt(), n.path("value").asLong(),
                    n.path("offset").asLong(-1), Acks.parse(n.path("acks").asText("all")), n.path("idem").asBoolean());
            case "poll" -> new Op.Poll(m, records(n), "read_committed".equals(n.path("isolation").asText()));
            case "assign" -> new Op.Assign(m, map(n.path("positions")));
            case "commit" -> new Op.Commit(m, n.path("group").asText(), map(n.path("offsets")));
            case "committed" -> new Op.CommittedRead(m, n.path("group").asText(), map(n.path("offsets")));
            case "final" -> new Op.FinalRead(m, n.path("reader").asInt(), map(n.path("end")), records(n),
                    n.path("complete").asBoolean(), "read_committed".equals(n.path("isolation").asText()));
            case "txn" -> new Op.Txn(m, n.path("tid").asText(), n.path("end").asText(), writes(n));
            case "leader" -> new Op.LeaderSeen(m, n.path("part").asInt(), n.path("leader").asInt());
            case "nemesis" -> new Op.Nemesis(m, n.path("fault").asText(), n.path("phase").asText(),
                    ints(n.path("targets")), n.path("detail").asText(""));
            default -> throw new IllegalArgumentException("unknown op type '" + type + "' in " + line);
        };
    }

    static String typeOf(Op op) {
        if (op instanceof Op.Send) return "send";
        if (op instanceof Op.Poll) return "poll";
        if (op instanceof Op.Assign) return "assign";
        if (op instanceof Op.Commit) return "commit";
        if (op instanceof Op.CommittedRead) return "committed";
        if (op instanceof Op.FinalRead) return "final";
        if (op instanceof Op.LeaderSeen) return "leader";
        if (op instanceof Op.Txn) return "txn";
        return "nemesis";
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a JSON history line: " + line, e);
        }
    }

    private static void putRecords(ObjectNode n, List<Record> records) {
        ArrayNode a = n.putArray("records");
        for (Record r : records) {
            a.addArray().add(r.partition()).add(r.offset()).add(r.value());
        }
    }

    private static void putMap(ObjectNode n, String field, Map<Integer, Long> m) {
        ObjectNode o = n.putObject(field);
        m.forEach((k, v) -> o.put(Integer.toString(k), v));
    }

    private static List<Record> records(JsonNode n) {
        List<Record> out = new ArrayList<>();
        for (JsonNode r : n.path("records")) {
            out.add(new Record(r.get(0).asInt(), r.get(1).asLong(), r.get(2).asLong()));
        }
        return out;
    }

    /** Writes are {@code [partition, offset, value]} triples, as records are. */
    private static List<Op.Txn.Write> writes(JsonNode n) {
        List<Op.Txn.Write> out = new ArrayList<>();
        for (JsonNode w : n.path("writes")) {
            out.add(new Op.Txn.Write(w.get(0).asInt(), w.get(2).asLong(), w.get(1).asLong()));
        }
        return out;
    }

    private static SortedMap<Integer, Long> map(JsonNode n) {
        SortedMap<Integer, Long> out = new TreeMap<>();
        n.fields().forEachRemaining(e -> out.put(Integer.parseInt(e.getKey()), e.getValue().asLong()));
        return out;
    }

    private static List<Integer> ints(JsonNode n) {
        List<Integer> out = new ArrayList<>();
        n.forEach(x -> out.add(x.asInt()));
        return out;
    }
}
