package io.tideline.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Free loopback TCP port from the OS. */
public final class FreePorts {

    private FreePorts() {
    }

    /**
     * Asks the OS for an ephemeral port on 127.0.0.1 and releases it. Fixed ports are taken on a shared
     * machine; a small race with another process remains, which tests accept.
     */
    public static int next() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot find a free loopback port: " + e.getMessage()
                    + ". Check that the loopback interface is up.", e);
        }
    }
}
