package io.rlog.cli.bench;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.Map;

/**
 * A small JSON writer for the results: maps, collections, arrays of doubles, records (by component name),
 * strings, numbers, booleans and null; anything else is written as its toString(). NaN and infinities, which
 * JSON cannot hold, become null. Pure.
 */
final class Json {
    private Json() {}

    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value, 0);
        return out.append('\n').toString();
    }

    private static void write(StringBuilder out, Object v, int depth) {
        if (v == null) {
            out.append("null");
        } else if (v instanceof String s) {
            string(out, s);
        } else if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            out.append(Double.isFinite(d) ? number(d) : "null");
        } else if (v instanceof Number || v instanceof Boolean) {
            out.append(v);
        } else if (v instanceof Map<?, ?> m) {
            object(out, m, depth);
        } else if (v instanceof Collection<?> c) {
            array(out, c.toArray(), depth);
        } else if (v instanceof double[] a) {
            out.append('[');
            for (int i = 0; i < a.length; i++) {
                out.append(i == 0 ? "" : ",");
                write(out, a[i], depth + 1);
            }
            out.append(']');
        } else if (v instanceof Object[] a) {
            array(out, a, depth);
        } else if (v.getClass().isRecord()) {
            Map<String, Object> fields = new java.util.LinkedHashMap<>();
            for (RecordComponent rc : v.getClass().getRecordComponents()) {
                try {
                    rc.getAccessor().setAccessible(true);
                    fields.put(rc.getName(), rc.getAccessor().invoke(v));
                } catch (IllegalAccessException | InvocationTargetException e) {
                    throw new IllegalStateException("cannot read " + rc.getName() + " of " + v.getClass(), e);
                }
            }
            object(out, fields, depth);
        } else {
            string(out, v.toString());
        }
    }

    private static void object(StringBuilder out, Map<?, ?> m, int depth) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            out.append(first ? "" : ",");
            newline(out, depth + 1);
            string(out, String.valueOf(e.getKey()));
            out.append(": ");
            write(out, e.getValue(), depth + 1);
            first = false;
        }
        if (!first) {
            newline(out, depth);
        }
        out.append('}');
    }

    private static void array(StringBuilder out, Object[] a, int depth) {
        out.append('[');
        boolean scalars = java.util.Arrays.stream(a).allMatch(x -> x == null || x instanceof Number
                || x instanceof String || x instanceof double[]);
        for (int i = 0; i < a.length; i++) {
            out.append(i == 0 ? "" : ",");
            if (!scalars) {
                newline(out, depth + 1);
            }
            write(out, a[i], depth + 1);
        }
        if (!scalars && a.length > 0) {
            newline(out, depth);
        }
        out.append(']');
    }

    private static void newline(StringBuilder out, int depth) {
        out.append('\n').append("  ".repeat(depth));
    }

    /** Plain decimal for whole numbers, otherwise up to 6 significant decimals; enough for the figures. */
    static String number(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15) {
            return Long.toString((long) d);
        }
        return new java.math.BigDecimal(d).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
    }

    static void string(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
