package io.rlog.node;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** {@code GET /health} (200 "ok" when the node serves, else 503) and {@code GET /metrics} (Prometheus text). */
final class HttpEndpoints implements AutoCloseable {

    private final HttpServer server;

    HttpEndpoints(String host, int port, BooleanSupplier healthy, Supplier<String> metrics) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 16);
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "rlog-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/health", ex -> {
            boolean ok = healthy.getAsBoolean();
            send(ex, ok ? 200 : 503, ok ? "ok\n" : "unavailable\n");
        });
        server.createContext("/metrics", ex -> send(ex, 200, metrics.get()));
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private static void send(HttpExchange ex, int code, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
