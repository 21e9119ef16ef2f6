package io.rlog.chaos.nemesis;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** A proxy forwards both ways, stalls a shut direction until healed, and resets under the RESET style. */
class LinkProxyTest {

    @Test
    void stallHoldsBytesOfTheCutDirectionAndDeliversThemWhenHealed() throws Exception {
        try (ServerSocket echo = echoServer(); LinkProxy proxy = proxyTo(echo)) {
            try (Socket s = connect(proxy)) {
                roundTrip(s, 1);
                proxy.set(false, true, CutStyle.STALL);
                s.getOutputStream().write(2);
                s.setSoTimeout(500); // the bound that proves the byte is held, not a synchronization wait
                assertThrows(SocketTimeoutException.class, () -> s.getInputStream().read());
                proxy.set(true, true, CutStyle.STALL);
                s.setSoTimeout(5_000);
                assertEquals(2, s.getInputStream().read());
            }
        }
    }

    @Test
    void resetClosesConnectionsAndRefusesNewOnesUntilHealed() throws Exception {
        try (ServerSocket echo = echoServer(); LinkProxy proxy = proxyTo(echo)) {
            Socket s = connect(proxy);
            roundTrip(s, 1);
            proxy.set(true, false, CutStyle.RESET);
            s.setSoTimeout(5_000);
            assertThrows(IOException.class, () -> {
                s.getOutputStream().write(2);
                if (s.getInputStream().read() < 0) {
                    throw new IOException("closed");
                }
            });
            s.close();
            assertThrows(IOException.class, () -> {
                try (Socket refused = connect(proxy)) { // the reset may already fail the connect
                    refused.setSoTimeout(5_000);
                    refused.getOutputStream().write(3);
                    if (refused.getInputStream().read() < 0) {
                        throw new IOException("closed");
                    }
                }
            });
            proxy.set(true, true, CutStyle.STALL);
            try (Socket healed = connect(proxy)) {
                roundTrip(healed, 4);
            }
        }
    }

    private static LinkProxy proxyTo(ServerSocket target) throws IOException {
        return new LinkProxy(new Link(1, 2),  new InetSocketAddress(ProxyNetwork.proxyHost(1, 2), 0),
                (InetSocketAddress) target.getLocalSocketAddress());
    }

    private static Socket connect(LinkProxy proxy) throws IOException {
        Socket s = new Socket();
        s.connect(proxy.localAddress(), 5_000);
        return s;
    }

    private static void roundTrip(Socket s, int b) throws IOException {
        s.setSoTimeout(5_000);
        s.getOutputStream().write(b);
        assertEquals(b, s.getInputStream().read());
    }

    /** Echoes every byte back, one thread per connection. */
    private static ServerSocket echoServer() throws IOException {
        ServerSocket server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket c = server.accept();
                    Thread e = new Thread(() -> {
                        try (c; InputStream in = c.getInputStream(); OutputStream out = c.getOutputStream()) {
                            for (int x = in.read(); x >= 0; x = in.read()) {
                                out.write(x);
                            }
                        } catch (IOException ignored) {
                            // the test closed it
                        }
                    });
                    e.setDaemon(true);
                    e.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return server;
    }
}
