package io.rlog.cli.local;

import com.sun.net.httpserver.HttpServer;
import java.io.FileReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Reader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

/**
 * A stand-in for the real node, so LocalCluster is tested without Ratis: invoked as
 * {@code FakeNode server --config FILE}, it binds the node's kafka and raft ports (so port clashes show), serves
 * GET /health with 200 "ok", and blocks until SIGTERM. Settings that make it misbehave:
 * {@code fake.exit.at.start=true} exits at once with status 3; {@code fake.hang.on.stop=true} never finishes
 * its shutdown hook, so only SIGKILL ends it.
 */
public final class FakeNode {
    public static void main(String[] args) throws Exception {
        if (args.length != 3 || !args[0].equals("server") || !args[1].equals("--config")) {
            System.err.println("usage: FakeNode server --config FILE");
            System.exit(2);
        }
        Properties config = new Properties();
        try (Reader r = new FileReader(args[2], StandardCharsets.UTF_8)) {
            config.load(r);
        }
        String node = config.getProperty("node.id");
        if (Boolean.parseBoolean(config.getProperty("fake.exit.at.start"))) {
            System.out.println("fake node " + node + " exiting at start as configured");
            System.exit(3);
        }
        InetAddress host = InetAddress.getByName(config.getProperty("listener.host"));
        ServerSocket kafka = new ServerSocket(Integer.parseInt(config.getProperty("kafka.port")), 50, host);
        ServerSocket raft = new ServerSocket(Integer.parseInt(config.getProperty("raft.port")), 50, host);
        HttpServer http = HttpServer.create(new InetSocketAddress(host, Integer.parseInt(config.getProperty("http.port"))), 0);
        http.createContext("/health", exchange -> {
            byte[] body = "ok".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        http.start();
        boolean hang = Boolean.parseBoolean(config.getProperty("fake.hang.on.stop"));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("fake node " + node + " stopping");
            if (hang) {
                awaitForever();
            }
            http.stop(0);
            closeQuietly(kafka);
            closeQuietly(raft);
        }));
        System.out.println("fake node " + node + " serving");
        awaitForever();
    }

    private static void awaitForever() {
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(ServerSocket s) {
        try {
            s.close();
        } catch (IOException e) {
            // exiting anyway
        }
    }
}
