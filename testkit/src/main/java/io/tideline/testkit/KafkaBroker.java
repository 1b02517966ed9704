package io.tideline.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.Uuid;

/**
 * A single-node KRaft Kafka broker (broker and controller in one process) in a child JVM, for tests.
 *
 * <p>The child runs the test's own class path, so broker and clients share one Kafka version. Its output goes to
 * {@code broker.log} in {@link #dir()}. It dies with the test JVM (shutdown hook, plus a watchdog in the child
 * for a test JVM killed with -9). {@link #kill()} and {@link #start()} reuse ports and log dirs, so data
 * survives a crash the way it would on a real broker.
 */
public final class KafkaBroker implements AutoCloseable {

    static final String DIR_PREFIX = "tideline-kafka-";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    private static final List<String> JVM_OPTIONS = List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC",
            "-Djava.awt.headless=true",
            // only read when the test class path has slf4j-simple (every Tideline module's tests do)
            "-Dorg.slf4j.simpleLogger.showDateTime=true", "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS",
            "-Dorg.slf4j.simpleLogger.log.org.apache.kafka.clients=warn");
    private static final Set<KafkaBroker> LIVE = ConcurrentHashMap.newKeySet();
    private static final PerJvm<KafkaBroker> SHARED = new PerJvm<>(() -> create(true));

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(KafkaBroker::destroy),
                "tideline-kafka-cleanup"));
    }

    private final Path dir;
    private final int port;
    private final int controllerPort;
    private final boolean isShared;
    /** The directory outlives the broker (openIn): close() stops the broker and keeps its log dir. */
    private final boolean keepsFiles;
    /** Null for the usual single node; for a node joining another one's cluster: that node. */
    private final KafkaBroker joins;
    private final int nodeId;
    private final int advertisedPort;
    private volatile Process process;
    private volatile boolean closed;

    private KafkaBroker(Path dir, int port, int controllerPort, boolean isShared, boolean keepsFiles) {
        this(dir, port, controllerPort, isShared, keepsFiles, null, 1, port);
    }

    private KafkaBroker(Path dir, int port, int controllerPort, boolean isShared, boolean keepsFiles, KafkaBroker joins,
                        int nodeId, int advertisedPort) {
        this.dir = dir;
        this.port = port;
        this.controllerPort = controllerPort;
        this.isShared = isShared;
        this.keepsFiles = keepsFiles;
        this.joins = joins;
        this.nodeId = nodeId;
        this.advertisedPort = advertisedPort;
    }

    /**
     * A broker whose data lives in {@code dir} and outlives it: the log dir is formatted on first use and reused by
     * later calls (on new free ports), and {@link #close()} stops the broker gracefully and keeps the files.
     */
    public static KafkaBroker openIn(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create the Kafka directory " + dir + ": " + e.getMessage()
                    + ". Check free space and permissions.", e);
        }
        KafkaBroker broker = new KafkaBroker(dir.toAbsolutePath(), FreePorts.next(), FreePorts.next(), false, true);
        return launch(broker, !Files.exists(dir.resolve("logs").resolve("meta.properties")));
    }

    /** Writes the broker's properties, formats its log dir when asked, starts it; destroys it when any step fails. */
    private static KafkaBroker launch(KafkaBroker broker, boolean format) {
        LIVE.add(broker);
        try {
            broker.writeProperties();
            if (format) {
                broker.format();
            }
            broker.start();
            return broker;
        } catch (RuntimeException e) {
            broker.destroy();
            throw e;
        }
    }

    /** One broker per JVM (test fork), started on first use, stopped by a shutdown hook; close() is ignored. */
    public static KafkaBroker shared() {
        return SHARED.get();
    }

    /** A new private broker (for fault tests that kill/restart it); close it when done. */
    public static KafkaBroker startNew() {
        return create(false);
    }

    /**
     * A second, broker-only node (id 2) in {@code first}'s cluster (a private one, from {@link #startNew()}), listening
     * on {@code port} and advertised to clients at {@code advertisedPort}: e.g. a {@link TcpProxy} in front of it,
     * so a test can cut the traffic of the partitions it leads while the first node's partitions flow. Close it
     * before {@code first}.
     */
    public static KafkaBroker startJoining(KafkaBroker first, int port, int advertisedPort) {
        if (first.joins != null || first.isShared) {
            throw new IllegalArgumentException("Cannot join " + first + ": join a private first node from startNew().");
        }
        Path dir = tempDir();
        return launch(new KafkaBroker(dir, port, first.controllerPort, false, false, first, 2, advertisedPort), true);
    }

    private static Path tempDir() {
        sweepOrphans();
        Path dir;
        try {
            dir = Files.createTempDirectory(Paths.get(System.getProperty("java.io.tmpdir")), DIR_PREFIX);
            Files.writeString(dir.resolve(PostgresServer.OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a Kafka log directory: " + e.getMessage()
                    + ". Check free space and permissions of java.io.tmpdir.", e);
        }
        return dir;
    }

    private static KafkaBroker create(boolean isShared) {
        return launch(new KafkaBroker(tempDir(), FreePorts.next(), FreePorts.next(), isShared, false), true);
    }

    /** {@code 127.0.0.1:PORT}. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The broker's working directory: server.properties, logs/ (the log dir) and broker.log. */
    public Path dir() {
        return dir;
    }

    /** A new admin client for this broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000));
    }

    public boolean isRunning() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** kill -9 of the broker JVM: no controlled shutdown, no flush. */
    public void kill() {
        Process p = requireOpen("kill").process;
        if (p != null) {
            p.destroyForcibly();
            awaitExit(p, 30);
        }
        process = null;
    }

    /** Graceful stop (SIGTERM, the broker's controlled shutdown); kill -9 after 30 s. */
    public void stop() {
        Process p = requireOpen("stop").process;
        if (p != null) {
            p.destroy();
            if (!awaitExit(p, 30)) {
                p.destroyForcibly();
                awaitExit(p, 30);
            }
        }
        process = null;
    }

    /** Starts the broker again on the same ports and log dir (no re-format) and waits until it answers. */
    public synchronized void start() {
        requireOpen("start");
        if (isRunning()) {
            return;
        }
        process = JavaChild.start(dir, dir.resolve("broker.log"), JVM_OPTIONS, KafkaBrokerMain.class.getName(),
                List.of(Long.toString(ProcessHandle.current().pid()), dir.resolve("server.properties").toString()));
        awaitReady();
    }

    /** Creates a topic with replication factor 1 and waits until the controller has created it. */
    public void createTopic(String name, int partitions) {
        try (Admin admin = admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot create topic " + name + " with " + partitions + " partitions on "
                    + bootstrapServers() + ": " + e.getMessage() + ". Check that the name is new and the broker runs.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Cannot create topic " + name + ": interrupted.", e);
        }
    }

    /**
     * Every committed record of every partition, from the beginning, until the end offsets taken at the start of
     * the call are reached. Records of aborted transactions are not returned (read_committed).
     */
    public List<ConsumerRecord<byte[], byte[]>> readAll(String topic, Duration timeout) {
        return new TopicReader(bootstrapServers(), true).readAll(topic, timeout);
    }

    /** Like {@link #readAll(String, Duration)}; with committedOnly false also returns aborted/open transactions. */
    public List<ConsumerRecord<byte[], byte[]>> readAll(String topic, Duration timeout, boolean committedOnly) {
        return new TopicReader(bootstrapServers(), committedOnly).readAll(topic, timeout);
    }

    /**
     * Kills the broker and deletes its directory; a broker from {@link #openIn} is stopped gracefully and keeps
     * its files. On the {@link #shared()} broker this does nothing.
     */
    @Override
    public void close() {
        if (keepsFiles && !closed && isRunning()) {
            stop();
        }
        if (!isShared) {
            destroy();
        }
    }

    private void destroy() {
        if (closed) {
            return;
        }
        closed = true;
        LIVE.remove(this);
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
            awaitExit(p, 30);
        }
        if (!keepsFiles) {
            Directories.deleteQuietly(dir);
        }
    }

    private void writeProperties() {
        Properties props = new Properties();
        props.setProperty("process.roles", joins == null ? "broker,controller" : "broker");
        props.setProperty("node.id", Integer.toString(nodeId));
        props.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        props.setProperty("listeners", "PLAINTEXT://127.0.0.1:" + port
                + (joins == null ? ",CONTROLLER://127.0.0.1:" + controllerPort : ""));
        props.setProperty("advertised.listeners", "PLAINTEXT://127.0.0.1:" + advertisedPort);
        props.setProperty("controller.listener.names", "CONTROLLER");
        props.setProperty("inter.broker.listener.name", "PLAINTEXT");
        props.setProperty("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        props.setProperty("log.dirs", dir.resolve("logs").toString());
        props.setProperty("num.partitions", "1");
        props.setProperty("auto.create.topics.enable", "false");
        props.setProperty("offsets.topic.replication.factor", "1");
        // One partition for internal topics: creating 50 of them costs seconds on a 2-core machine.
        props.setProperty("offsets.topic.num.partitions", "1");
        props.setProperty("transaction.state.log.replication.factor", "1");
        props.setProperty("transaction.state.log.min.isr", "1");
        props.setProperty("transaction.state.log.num.partitions", "1");
        props.setProperty("share.coordinator.state.topic.replication.factor", "1");
        props.setProperty("share.coordinator.state.topic.min.isr", "1");
        props.setProperty("group.initial.rebalance.delay.ms", "0");
        // After kill -9 the controller refuses the restarted broker until the old session expires (default 9 s).
        props.setProperty("broker.session.timeout.ms", "5000");
        props.setProperty("broker.heartbeat.interval.ms", "1000");
        props.setProperty("num.network.threads", "2");
        props.setProperty("num.io.threads", "2");
        props.setProperty("num.recovery.threads.per.data.dir", "1");
        try (var out = Files.newBufferedWriter(dir.resolve("server.properties"))) {
            props.store(out, "tideline testkit broker");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + dir.resolve("server.properties") + ": " + e.getMessage()
                    + ". Check free space.", e);
        }
    }

    private void format() {
        String clusterId = joins == null ? Uuid.randomUuid().toString() : joins.clusterId();
        Process formatter = JavaChild.start(dir, dir.resolve("format.log"), JVM_OPTIONS, "kafka.tools.StorageTool",
                List.of("format", "-t", clusterId, "-c", dir.resolve("server.properties").toString()));
        if (!awaitExit(formatter, 60)) {
            formatter.destroyForcibly();
            throw new IllegalStateException("Cannot format the Kafka log dir " + dir.resolve("logs")
                    + ": StorageTool did not finish in 60 s. Output: " + tail(dir.resolve("format.log")));
        }
        if (formatter.exitValue() != 0) {
            throw new IllegalStateException("Cannot format the Kafka log dir " + dir.resolve("logs")
                    + ": StorageTool exited with " + formatter.exitValue() + ". Output: " + tail(dir.resolve("format.log")));
        }
    }

    private String clusterId() {
        Path meta = dir.resolve("logs").resolve("meta.properties");
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(meta)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the cluster id from " + meta + ": " + e.getMessage() + ".", e);
        }
        return p.getProperty("cluster.id");
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        Exception last = null;
        // a joining node is ready once the cluster lists it (its advertised address may be a proxy)
        try (Admin admin = joins == null ? admin() : joins.admin()) {
            while (System.nanoTime() < deadline) {
                Process p = process;
                if (p == null || !p.isAlive()) {
                    throw new IllegalStateException("Cannot start the Kafka broker on " + bootstrapServers()
                            + ": its JVM exited" + (p == null ? "" : " with " + p.exitValue()) + ". Log tail:\n"
                            + tail(dir.resolve("broker.log")));
                }
                try {
                    // a per-call timeout, so unanswered calls do not pile up in the admin client while we poll
                    if (admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000)).nodes()
                            .get(5, TimeUnit.SECONDS).stream().anyMatch(n -> n.id() == nodeId)) {
                        return;
                    }
                } catch (ExecutionException | TimeoutException e) {
                    last = e;
                }
                Thread.sleep(200);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Cannot start the Kafka broker: interrupted while waiting for it.", e);
        }
        throw new IllegalStateException("Cannot start the Kafka broker on " + bootstrapServers() + ": no answer after "
                + READY_TIMEOUT.toSeconds() + " s (" + last + "). Log tail:\n" + tail(dir.resolve("broker.log")));
    }

    private KafkaBroker requireOpen(String operation) {
        if (closed) {
            throw new IllegalStateException("Cannot " + operation + " the Kafka broker: it was closed. Use "
                    + "KafkaBroker.startNew() for a new one.");
        }
        return this;
    }

    private static boolean awaitExit(Process p, long seconds) {
        try {
            return p.waitFor(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log at " + log + ")";
        }
    }

    /** Deletes directories of brokers whose test JVM is gone (their child JVMs halt themselves). */
    private static void sweepOrphans() {
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Paths.get(System.getProperty("java.io.tmpdir")),
                DIR_PREFIX + "*")) {
            List<Path> orphans = new ArrayList<>();
            for (Path d : dirs) {
                try {
                    long owner = Long.parseLong(Files.readString(d.resolve(PostgresServer.OWNER_FILE)).trim());
                    if (!Processes.isRunning(owner)) {
                        orphans.add(d);
                    }
                } catch (IOException | NumberFormatException ignored) {
                    // not ours, or still being created
                }
            }
            orphans.forEach(Directories::deleteQuietly);
        } catch (IOException | RuntimeException ignored) {
            // sweeping is a courtesy; it must never fail a test
        }
    }

    @Override
    public String toString() {
        return "KafkaBroker[" + bootstrapServers() + (isShared ? ", shared" : "") + (joins != null ? ", node " + nodeId : "") + "]";
    }
}
