package io.rlog.cli.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/** Asks a node's GET /health, which answers 200 once the node serves and 503 before, and reads its gauges. */
final class HealthProbe {
    /** One probe must not hang on a paused node longer than this. */
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(1);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();

    boolean isHealthy(String host, int httpPort) throws InterruptedException {
        return "ok".equals(describe(host, httpPort));
    }

    /** "ok", "http-STATUS", or "down" when nothing answers. */
    String describe(String host, int httpPort) throws InterruptedException {
        HttpRequest request = get(host, httpPort, "/health");
        try {
            int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
            return status == 200 ? "ok" : "http-" + status;
        } catch (IOException e) {
            return "down";
        }
    }

    /** One gauge of the node's GET /metrics ({@code name value} lines), or empty when it does not answer. */
    OptionalLong gauge(String host, int httpPort, String name) throws InterruptedException {
        Optional<String> metrics = metrics(host, httpPort);
        if (metrics.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            for (String line : metrics.get().split("\n")) {
                if (line.startsWith(name + " ")) {
                    return OptionalLong.of((long) Double.parseDouble(line.substring(name.length() + 1).trim()));
                }
            }
            return OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** The node's whole GET /metrics text, or empty when it does not answer 200. */
    Optional<String> metrics(String host, int httpPort) throws InterruptedException {
        try {
            HttpResponse<String> response = http.send(get(host, httpPort, "/metrics"), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? Optional.of(response.body()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static HttpRequest get(String host, int httpPort, String path) {
        return HttpRequest.newBuilder(URI.create("http://" + host + ":" + httpPort + path))
                .timeout(REQUEST_TIMEOUT)
                .GET()
                .build();
    }
}
