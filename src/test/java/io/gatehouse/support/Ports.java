package io.gatehouse.support;

import java.io.IOException;
import java.net.ServerSocket;

/** Loopback ports for the services and app instances the tests start. */
public final class Ports {

    private Ports() {
    }

    /** A port nothing listens on right now. */
    public static int free() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
