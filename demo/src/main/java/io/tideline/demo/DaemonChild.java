package io.tideline.demo;

import java.io.IOException;
import java.nio.file.Path;

/** {@code tideline run} as its own OS process, on this JVM's class path (which holds the daemon and its libraries). */
final class DaemonChild {
    private DaemonChild() {
    }

    static Process start(Path config, Path log) throws IOException {
        return new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-Xmx768m",
                "-cp", System.getProperty("java.class.path"), "io.tideline.daemon.Main", "run", "--config", config.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }
}
