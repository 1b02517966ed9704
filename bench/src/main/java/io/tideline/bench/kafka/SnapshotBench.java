package io.tideline.bench.kafka;

import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.format.Json;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.tideline.config.TidelineConfig;
import io.tideline.daemon.Pipeline;
import io.tideline.daemon.PipelineFactory;
import java.io.OutputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Issue 10's snapshot benchmark: one table (pgbench_accounts' shape, {@code --rows}, 2M by default) read by every
 * path in turn, each on a fresh slot and topic, and a table of rows/s with ratios measured in the same run:
 * <ul>
 *   <li>floor: one connection's {@code COPY (SELECT * FROM t) TO STDOUT}, counted and dropped;</li>
 *   <li>Debezium: the embedded engine's blocking initial snapshot with its default settings, JSON with schemas, into a
 *       default KafkaProducer (a batch is marked processed once its sends are acknowledged);</li>
 *   <li>Tideline → Kafka, Tideline → Iceberg, and Tideline → Kafka while a pgbench-like load updates the table.</li>
 * </ul>
 * Kafka rows/s run from the start of capture to the broker's append time of the last snapshot record (topics use
 * {@code LogAppendTime}); Iceberg's to the commit that made the table hold every row. CPU per row of each thread
 * group of the bench JVM is printed for the Tideline paths (PostgreSQL and the broker run in their own processes).
 */
public final class SnapshotBench {

    private final BenchServices services;
    /** The pass being run: the warm-up's small table, then the measured one. */
    private int rows;
    private String table = TABLE;
    /** Appended to slot, topic and prefix names, so the warm-up's never meet the measured pass's. */
    private String tag = "";
    private final int loadRate;
    private final Map<String, String> tidelineSettings;
    private final List<String[]> results = new ArrayList<>();
    private final List<String> cpuReports = new ArrayList<>();
    /** Transactions of the streamed path's bulk: the size the streaming bench's bulk uses (bench/README.md). */
    private static final int STREAM_TX_ROWS = 10_000;
    private static final String TABLE = "snap_accounts";
    private static final String WARMUP_TABLE = "snap_warmup";
    private static final String STREAMED = "Tideline → Kafka, the same rows streamed (inserted beforehand)";

    private SnapshotBench(BenchServices services, int rows, int loadRate, Map<String, String> tidelineSettings) {
        this.services = services;
        this.rows = rows;
        this.loadRate = loadRate;
        this.tidelineSettings = tidelineSettings;
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable t) {
            t.printStackTrace();
            System.exit(1); // Debezium's and Kafka's threads must not keep a failed bench alive
        }
        System.exit(0);
    }

    private static void run(String[] args) throws Exception {
        int rows = 2_000_000;
        int loadRate = 200;
        int warmupRows = 200_000;
        String paths = "floor,debezium,debezium-incremental,tideline-kafka,tideline-iceberg,tideline-kafka-load,tideline-kafka-stream,kafka-write";
        Map<String, String> settings = new LinkedHashMap<>();
        List<String> passOn = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rows" -> rows = Integer.parseInt(args[++i].replace("_", ""));
                case "--load-rate" -> loadRate = Integer.parseInt(args[++i]);
                case "--warmup-rows" -> warmupRows = Integer.parseInt(args[++i].replace("_", ""));
                case "--paths" -> paths = args[++i];
                case "--tideline-set" -> {
                    String[] kv = args[++i].split("=", 2);
                    settings.put(kv[0], kv[1]);
                }
                case "--pg-url", "--bootstrap" -> {
                    passOn.add(args[i]);
                    passOn.add(args[++i]);
                }
                case "--help" -> {
                    System.out.println("SnapshotBench [--rows N] [--warmup-rows N] [--load-rate TX_PER_S] [--paths floor,debezium,tideline-kafka,"
                            + "tideline-iceberg,tideline-kafka-load,tideline-kafka-stream,kafka-write] [--tideline-set key=value]... [--pg-url URL] [--bootstrap HOSTS]");
                    return;
                }
                default -> throw new IllegalArgumentException("Cannot parse the options: unknown option " + args[i] + ". See --help.");
            }
        }
        try (BenchServices services = BenchServices.start(BenchOptions.parse(passOn.toArray(new String[0])))) {
            SnapshotBench bench = new SnapshotBench(services, rows, loadRate, settings);
            List<String[]> warmup = List.of();
            if (warmupRows > 0) {
                // Every path first runs once, whole, on a small table of its own: the measured pass then finds the
                // JIT (of this JVM and of the broker's) past compiling that path's code, as in any snapshot longer
                // than a few seconds. Debezium's paths get the same warm-up as Tideline's.
                bench.pass(WARMUP_TABLE, warmupRows, "_warmup");
                System.out.printf("%nWarm-up pass: every path once on %,d rows (reported at the end, not measured)%n", warmupRows);
                bench.runPaths(paths);
                warmup = new ArrayList<>(bench.results);
                bench.results.clear();
                bench.cpuReports.clear();
            }
            bench.pass(TABLE, rows, "");
            bench.runPaths(paths);
            bench.report(warmup, warmupRows);
        }
    }

    private void pass(String table, int rows, String tag) throws Exception {
        this.table = table;
        this.rows = rows;
        this.tag = tag;
        createTable();
    }

    private void runPaths(String paths) throws Exception {
        for (String p : paths.split(",")) {
            switch (p.strip()) {
                case "floor" -> floor();
                case "debezium" -> debezium(false);
                case "debezium-incremental" -> debezium(true);
                case "tideline-kafka" -> tidelineKafka("tideline-kafka", false);
                case "tideline-iceberg" -> tidelineIceberg();
                case "tideline-kafka-load" -> tidelineKafka("tideline-kafka-load", true);
                case "tideline-kafka-stream" -> tidelineKafkaStreamed();
                case "kafka-write" -> kafkaWrite();
                default -> throw new IllegalArgumentException("Cannot run path '" + p + "': unknown. See --help.");
            }
        }
    }

    private void createTable() throws Exception {
        long t0 = System.nanoTime();
        try (Connection c = services.connect(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table);
            s.execute("CREATE TABLE " + table + " (aid int PRIMARY KEY, bid int NOT NULL, abalance int NOT NULL, filler char(84))");
            s.execute("INSERT INTO " + table + " SELECT g, (g - 1) / 100000 + 1, 0, '' FROM generate_series(1, " + rows + ") g");
            s.execute("VACUUM ANALYZE " + table);
        }
        System.out.printf("table %s: %,d rows (%.1f s to load)%n", table, rows, (System.nanoTime() - t0) / 1e9);
    }

    // ------------------------------------------------------------------ paths

    private void floor() throws Exception {
        try (Connection c = services.connect()) {
            AtomicLong bytes = new AtomicLong();
            long t0 = System.nanoTime();
            long n = c.unwrap(org.postgresql.PGConnection.class).getCopyAPI().copyOut("COPY (SELECT * FROM " + table + ") TO STDOUT",
                    new OutputStream() {
                        @Override
                        public void write(int b) {
                            bytes.incrementAndGet();
                        }

                        @Override
                        public void write(byte[] b, int off, int len) {
                            bytes.addAndGet(len);
                        }
                    });
            double secs = (System.nanoTime() - t0) / 1e9;
            result("floor: COPY ... TO STDOUT, one connection", n, secs, String.format("%,d MB read", bytes.get() >> 20));
        }
    }

    /**
     * Debezium's blocking initial snapshot, or ({@code incremental}) its incremental snapshot: streaming with
     * {@code snapshot.mode=no_data} and an {@code execute-snapshot} signal row, chunks read between watermarks
     * written to the signal table (the alternative to Tideline's own chunk reader that issue 10 asks to measure).
     */
    private void debezium(boolean incremental) throws Exception {
        String name = (incremental ? "snapbench_dbzinc" : "snapbench_dbz") + tag;
        String topic = name + ".public." + table;
        createTopic(topic);
        Properties p = DebeziumRun.required(services, name, name, name, name + "_pub",
                "public\\." + table + (incremental ? ",public\\." + name + "_signal" : ""));
        p.setProperty("publication.autocreate.mode", "filtered");
        p.setProperty("snapshot.mode", incremental ? "no_data" : "initial");
        if (incremental) {
            try (Connection c = services.connect(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + name + "_signal (id varchar(64) PRIMARY KEY, type varchar(32) NOT NULL, data varchar(2048))");
            }
            p.setProperty("signal.data.collection", "public." + name + "_signal");
        }
        KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, services.bootstrap),
                new StringSerializer(), new StringSerializer());
        DebeziumEngine.ChangeConsumer<ChangeEvent<String, String>> sink = (records, committer) -> {
            List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
            for (ChangeEvent<String, String> r : records) {
                if (r.destination().equals(topic)) acks.add(producer.send(new ProducerRecord<>(r.destination(), r.key(), r.value())));
            }
            try {
                for (Future<RecordMetadata> a : acks) a.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException("Cannot send a change to Kafka: " + e.getCause() + ".", e.getCause());
            }
            for (ChangeEvent<String, String> r : records) committer.markProcessed(r);
            committer.markBatchFinished();
        };
        long startMs = System.currentTimeMillis();
        long t0 = System.nanoTime();
        try (DebeziumRun run = new DebeziumRun(DebeziumEngine.create(Json.class).using(p).notifying(sink))) {
            if (incremental) {
                awaitSlot(name);
                try (Connection c = services.connect(); Statement s = c.createStatement()) {
                    s.execute("INSERT INTO " + name + "_signal VALUES ('snap-1', 'execute-snapshot',"
                            + " '{\"data-collections\": [\"public." + table + "\"], \"type\": \"incremental\"}')");
                }
            }
            awaitRecords(topic, rows, Duration.ofMinutes(30), run::failure);
        } finally {
            producer.close();
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        double secs = (lastSnapshotAppendMs(topic) - startMs) / 1000.0;
        result(incremental ? "Debezium engine, incremental snapshot (signal), defaults → default KafkaProducer"
                : "Debezium engine, blocking initial snapshot, defaults → default KafkaProducer", rows, secs,
                String.format("%.1f s until the bench saw every row", wall));
        dropSlot(name);
    }

    private void tidelineKafka(String name, boolean underLoad) throws Exception {
        String prefix = "snapbench_" + name.replace('-', '_') + tag;
        String topic = prefix + ".public." + table;
        createTopic(topic);
        Path state = Files.createTempDirectory("snapbench-state-");
        Map<String, String> c = kafkaConfig(prefix, state);
        Load load = underLoad ? new Load(loadRate) : null;
        if (load != null) load.start();
        Measured m;
        try {
            m = measure(c, thread -> awaitSnapshotDone(state, Duration.ofMinutes(30), thread));
        } finally {
            if (load != null) load.stop();
        }
        double wall = m.wallSecs();
        String cpuLine = m.cpuLine();
        double secs = (lastSnapshotAppendMs(topic) - m.startMs()) / 1000.0;
        String label = underLoad ? "Tideline → Kafka, " + loadRate + " tx/s of pgbench-like updates on the table" : "Tideline → Kafka";
        result(label + settingsNote(), rows, secs, String.format("%.1f s until every chunk was acknowledged%s", wall,
                load == null ? "" : String.format("; load: %,d tx", load.done.get())));
        cpuReports.add(label + ": " + cpuLine);
        System.out.println("  CPU µs/row: " + cpuLine);
        dropSlot(prefix);
    }

    /**
     * The same rows streamed instead of snapshotted, the yardstick issue 10 names next to Debezium ("a snapshot at least
     * as fast as Tideline's own streamed bulk path"). An empty table of the same shape is captured (slot, publication,
     * snapshot state), the pipeline stopped, the rows inserted in transactions of {@value #STREAM_TX_ROWS} while
     * nothing reads the slot, and the pipeline started again: rows/s from that start to the broker's append of the last
     * row, the snapshot paths' clock.
     */
    private void tidelineKafkaStreamed() throws Exception {
        String prefix = "snapbench_tideline_stream" + tag;
        String streamed = "snap_stream" + tag;
        String topic = prefix + ".public." + streamed;
        createTopic(topic);
        try (Connection c = services.connect(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + streamed);
            s.execute("CREATE TABLE " + streamed + " (LIKE " + table + " INCLUDING ALL)");
        }
        Path state = Files.createTempDirectory("snapbench-state-");
        Map<String, String> c = kafkaConfig(prefix, state);
        c.put("tideline.source.table.include.list", "public." + streamed);
        Pipeline empty = PipelineFactory.create(TidelineConfig.from(c, Map.of()), new SimpleMeterRegistry());
        Thread first = run(empty);
        try {
            awaitSnapshotDone(state, Duration.ofMinutes(5), first);
        } finally {
            empty.stop();
            first.join(60_000);
        }
        if (first.isAlive()) throw new IllegalStateException("Tideline did not stop within 60 s after capturing the empty table");
        long insertStart = System.nanoTime();
        try (Connection conn = services.connect(); Statement s = conn.createStatement()) {
            for (int from = 1; from <= rows; from += STREAM_TX_ROWS) {
                int to = Math.min(rows, from + STREAM_TX_ROWS - 1);
                s.execute("INSERT INTO " + streamed + " SELECT g, (g - 1) / 100000 + 1, 0, '' FROM generate_series(" + from + ", " + to + ") g");
            }
        }
        System.out.printf("  (%,d rows inserted in %.1f s, in transactions of %,d, while no one read the slot)%n",
                rows, (System.nanoTime() - insertStart) / 1e9, STREAM_TX_ROWS);
        Measured m = measure(c, thread -> awaitRecords(topic, rows, Duration.ofMinutes(30),
                () -> thread.isAlive() ? null : "Tideline stopped while streaming"));
        double wall = m.wallSecs();
        String cpuLine = m.cpuLine();
        double secs = (lastAppendMs(topic, "c") - m.startMs()) / 1000.0;
        String label = STREAMED + settingsNote();
        result(label, rows, secs, String.format("%.1f s until the bench saw every row; %,d-row transactions", wall, STREAM_TX_ROWS));
        cpuReports.add(label + ": " + cpuLine);
        System.out.println("  CPU µs/row: " + cpuLine);
        dropSlot(prefix);
        try (Connection conn = services.connect(); Statement s = conn.createStatement()) {
            s.execute("DROP TABLE " + streamed);
        }
    }

    /**
     * The Kafka half alone, as a ceiling for any snapshot into Kafka in this record format on this box: the records
     * Tideline → Kafka wrote (key, Debezium JSON value with schema, Tideline's headers), serialized before the clock
     * starts, sent again by one producer with Tideline's producer defaults to a fresh topic of the same broker. No
     * PostgreSQL, no pipeline. {@value #WRITE_SAMPLES} distinct records are cycled (a Debezium record is ~5 KB and
     * lz4's window 64 KB, so the cycle is invisible to compression).
     */
    private void kafkaWrite() throws Exception {
        String source = "snapbench_tideline_kafka" + tag + ".public." + table;
        List<ProducerRecord<byte[], byte[]>> samples = new ArrayList<>();
        Map<String, Object> cp = new HashMap<>();
        cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, services.bootstrap);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(source, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (samples.size() < WRITE_SAMPLES && System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
                    if (samples.size() < WRITE_SAMPLES) samples.add(new ProducerRecord<>("", null, r.key(), r.value(), r.headers()));
                }
            }
        }
        if (samples.isEmpty()) throw new IllegalStateException("Cannot measure the Kafka write: run the tideline-kafka path first, " + source + " is empty");
        String topic = "snapbench_kafka_write" + tag;
        createTopic(topic);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            ProducerRecord<byte[], byte[]> s = samples.get(i % samples.size());
            records.add(new ProducerRecord<>(topic, 0, null, s.key(), s.value(), s.headers()));
        }
        long bytes = 0;
        for (ProducerRecord<byte[], byte[]> s : samples) bytes += s.value().length;
        Map<String, Object> pc = new HashMap<>(io.tideline.sink.kafka.KafkaSink.producerDefaults());
        pc.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, services.bootstrap);
        Cpu cpu = Cpu.start();
        long startMs = System.currentTimeMillis();
        String cpuLine;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pc, new ByteArraySerializer(), new ByteArraySerializer())) {
            for (ProducerRecord<byte[], byte[]> r : records) producer.send(r, null);
            producer.flush();
            cpuLine = cpu.report(rows); // while the producer's I/O thread still exists to be counted
        }
        double secs = (lastSnapshotAppendMs(topic) - startMs) / 1000.0;
        result("Kafka write alone: Tideline's records, serialized beforehand, one producer with Tideline's defaults", rows, secs,
                String.format("%,d distinct records cycled, %,d bytes per value on average", samples.size(), bytes / samples.size()));
        cpuReports.add("Kafka write alone: " + cpuLine);
        System.out.println("  CPU µs/row: " + cpuLine);
    }

    private static final int WRITE_SAMPLES = 1000;

    private void tidelineIceberg() throws Exception {
        String prefix = "snapbench_iceberg" + tag;
        Path state = Files.createTempDirectory("snapbench-state-");
        Path warehouse = Files.createTempDirectory("snapbench-warehouse-");
        Map<String, String> c = baseConfig(prefix, state);
        c.put("tideline.sink.iceberg.enabled", "true");
        c.put("tideline.sink.iceberg.namespace", "bench");
        c.put("tideline.sink.iceberg.catalog.type", "hadoop");
        c.put("tideline.sink.iceberg.catalog.warehouse", warehouse.toString());
        c.putAll(tidelineSettings);
        Cpu cpu = Cpu.start();
        long t0 = System.nanoTime();
        Pipeline pipeline = PipelineFactory.create(TidelineConfig.from(c, Map.of()), new SimpleMeterRegistry());
        Thread thread = run(pipeline);
        double secs;
        String cpuLine;
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
            while (icebergRows(warehouse, table) < rows) {
                if (System.nanoTime() > deadline) throw new IllegalStateException("Iceberg did not hold every row within 30 min");
                if (!thread.isAlive()) throw new IllegalStateException("Tideline stopped before Iceberg held every row");
                Thread.sleep(250);
            }
            secs = (System.nanoTime() - t0) / 1e9;
            cpuLine = cpu.report(rows);
        } finally {
            pipeline.stop();
            thread.join(60_000);
        }
        result("Tideline → Iceberg (Hadoop catalog, upsert)" + settingsNote(), rows, secs, "until a commit made the table hold every row");
        cpuReports.add("Tideline → Iceberg: " + cpuLine);
        System.out.println("  CPU µs/row: " + cpuLine);
        dropSlot(prefix);
    }

    private String settingsNote() {
        return tidelineSettings.isEmpty() ? "" : " with " + tidelineSettings;
    }

    private Map<String, String> baseConfig(String prefix, Path state) {
        Map<String, String> c = new LinkedHashMap<>();
        c.put("tideline.source.database.hostname", services.host);
        c.put("tideline.source.database.port", String.valueOf(services.port));
        c.put("tideline.source.database.user", services.user);
        c.put("tideline.source.database.password", services.password);
        c.put("tideline.source.database.dbname", services.database);
        c.put("tideline.source.table.include.list", "public." + table);
        c.put("tideline.source.slot.name", prefix);
        c.put("tideline.source.publication.name", prefix + "_pub");
        // Chunks are acknowledged with their epoch; a short one lets the bench see the snapshot finished.
        c.put("tideline.runtime.epoch.duration", "5s");
        c.put("tideline.state.dir", state.toString());
        c.put("tideline.http.port", "0");
        return c;
    }

    /** One measured pipeline run: its start (every path's clock starts there), wall time and CPU per row. */
    private record Measured(long startMs, double wallSecs, String cpuLine) {
    }

    private interface Done {
        void await(Thread pipeline) throws Exception;
    }

    /** Starts a pipeline on {@code config}, waits for {@code done}, stops it. */
    private Measured measure(Map<String, String> config, Done done) throws Exception {
        Cpu cpu = Cpu.start();
        long startMs = System.currentTimeMillis();
        long t0 = System.nanoTime();
        Pipeline pipeline = PipelineFactory.create(TidelineConfig.from(config, Map.of()), new SimpleMeterRegistry());
        Thread thread = run(pipeline);
        String cpuLine;
        try {
            done.await(thread);
            cpuLine = cpu.report(rows);
        } finally {
            pipeline.stop();
            thread.join(60_000);
        }
        return new Measured(startMs, (System.nanoTime() - t0) / 1e9, cpuLine);
    }

    /** {@link #baseConfig} with the Kafka sink writing to topics under {@code prefix}, then the bench's settings. */
    private Map<String, String> kafkaConfig(String prefix, Path state) {
        Map<String, String> c = baseConfig(prefix, state);
        c.put("tideline.sink.kafka.enabled", "true");
        c.put("tideline.sink.kafka.bootstrap.servers", services.bootstrap);
        c.put("tideline.sink.kafka.topic.prefix", prefix);
        c.putAll(tidelineSettings);
        return c;
    }

    private static Thread run(Pipeline pipeline) {
        Thread t = new Thread(() -> {
            try {
                pipeline.run();
            } catch (Throwable e) {
                System.err.println("Tideline failed: " + e);
                e.printStackTrace();
            }
        }, "bench-tideline");
        t.setDaemon(true);
        t.start();
        return t;
    }

    // ------------------------------------------------------------------ measuring

    private void result(String label, long n, double secs, String note) {
        results.add(new String[] {label, String.format("%,d", n), String.format("%.2f", secs), String.format("%,.0f", n / secs), note});
        System.out.printf("  %s: %,d rows in %.2f s = %,.0f rows/s (%s)%n", label, n, secs, n / secs, note);
    }

    private void report(List<String[]> warmup, int warmupRows) {
        if (!warmup.isEmpty()) {
            System.out.println();
            System.out.printf("Warm-up pass (each path's first run in this JVM, %,d rows; not the result):%n%n", warmupRows);
            table(warmup);
        }
        System.out.println();
        System.out.printf("Snapshot of %,d rows (pgbench_accounts' shape), one PostgreSQL and one broker on this machine%s%n%n", rows,
                warmup.isEmpty() ? "" : String.format(", each path after its %,d-row warm-up", warmupRows));
        table(results);
        double snapshot = exactRate("Tideline → Kafka" + settingsNote());
        double streamed = exactRate(STREAMED + settingsNote());
        if (!Double.isNaN(streamed) && !Double.isNaN(snapshot)) {
            System.out.printf("%nTideline → Kafka, snapshot ÷ the same rows streamed, this run: %.2f%n", snapshot / streamed);
        }
        if (!cpuReports.isEmpty()) {
            System.out.println();
            System.out.println("CPU of the bench JVM per row (snapshot or streamed), by thread group (µs/row):");
            cpuReports.forEach(l -> System.out.println("- " + l));
        }
    }

    private static void table(List<String[]> rows) {
        double floor = rate(rows, "floor");
        double debezium = rate(rows, "Debezium engine, blocking");
        System.out.println("| path | rows | seconds | rows/s | × Debezium | ÷ floor | note |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (String[] r : rows) {
            double rate = Double.parseDouble(r[3].replace(",", ""));
            System.out.printf("| %s | %s | %s | %s | %s | %s | %s |%n", r[0], r[1], r[2], r[3],
                    Double.isNaN(debezium) ? "–" : String.format("%.2f", rate / debezium),
                    Double.isNaN(floor) ? "–" : String.format("%.3f", rate / floor), r[4]);
        }
    }

    private double exactRate(String label) {
        for (String[] r : results) if (r[0].equals(label)) return Double.parseDouble(r[3].replace(",", ""));
        return Double.NaN;
    }

    private static double rate(List<String[]> rows, String prefix) {
        for (String[] r : rows) if (r[0].startsWith(prefix)) return Double.parseDouble(r[3].replace(",", ""));
        return Double.NaN;
    }

    private void createTopic(String topic) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, services.bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(Map.of("message.timestamp.type", "LogAppendTime"))))
                    .all().get(30, TimeUnit.SECONDS);
        }
    }

    private void awaitRecords(String topic, long n, Duration timeout, java.util.function.Supplier<String> failure) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, services.bootstrap))) {
            TopicPartition tp = new TopicPartition(topic, 0);
            while (admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS).get(tp).offset() < n) {
                if (failure.get() != null) throw new IllegalStateException("Cannot measure: " + failure.get());
                if (System.nanoTime() > deadline) throw new IllegalStateException("The topic did not hold " + n + " records within " + timeout);
                Thread.sleep(250);
            }
        }
    }

    /** The broker's append time of the last snapshot ({@code "op":"r"}) record. */
    private long lastSnapshotAppendMs(String topic) {
        return lastAppendMs(topic, "r");
    }

    /** The broker's append time of the last record of {@code op} (Debezium's code: r, c, u, d). */
    private long lastAppendMs(String topic, String op) {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, services.bootstrap);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        long last = 0;
        long seen = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            byte[] read = ("\"op\":\"" + op + "\"").getBytes(StandardCharsets.UTF_8);
            while (consumer.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofSeconds(1))) {
                    if (r.value() != null && contains(r.value(), read)) {
                        last = Math.max(last, r.timestamp());
                        seen++;
                    }
                }
            }
        }
        System.out.printf("  (%,d records of op %s in %s)%n", seen, op, topic);
        return last;
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = hay.length - needle.length; i >= 0; i--) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return true;
        }
        return false;
    }

    private static void awaitSnapshotDone(Path state, Duration timeout, Thread pipeline) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Path file = state.resolve("snapshot-state.json");
        while (true) {
            if (Files.exists(file)) {
                String json = Files.readString(file);
                if (json.contains("\"CAPTURED\"") && !json.contains("\"SNAPSHOTTING\"") && !json.contains("\"PENDING\"")) return;
            }
            if (!pipeline.isAlive()) throw new IllegalStateException("Tideline stopped before its snapshot finished");
            if (System.nanoTime() > deadline) throw new IllegalStateException("The snapshot did not finish within " + timeout);
            Thread.sleep(200);
        }
    }

    private static long icebergRows(Path warehouse, String table) {
        Path metadata = warehouse.resolve("bench").resolve(table).resolve("metadata");
        if (!Files.isDirectory(metadata)) return 0;
        org.apache.iceberg.hadoop.HadoopTables tables = new org.apache.iceberg.hadoop.HadoopTables(new org.apache.hadoop.conf.Configuration());
        org.apache.iceberg.Table t;
        try {
            t = tables.load(warehouse.resolve("bench").resolve(table).toString());
        } catch (org.apache.iceberg.exceptions.NoSuchTableException e) {
            return 0; // being created
        }
        org.apache.iceberg.Snapshot s = t.currentSnapshot();
        if (s == null) return 0;
        String total = s.summary().get("total-records");
        // a snapshot only inserts new keys: data rows are the table's rows (equality deletes match nothing yet)
        return total == null ? 0 : Long.parseLong(total);
    }

    private void awaitSlot(String slot) throws Exception {
        try (Connection c = services.connect(); Statement s = c.createStatement()) {
            for (int i = 0; i < 600; i++) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "' AND active")) {
                    rs.next();
                    if (rs.getInt(1) > 0) return;
                }
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("Slot " + slot + " did not become active within 60 s");
    }

    private void dropSlot(String slot) {
        try (Connection c = services.connect(); Statement s = c.createStatement()) {
            for (int i = 0; i < 100; i++) {
                try (ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_replication_slots WHERE slot_name = '" + slot + "' AND active")) {
                    rs.next();
                    if (rs.getInt(1) == 0) break;
                }
                Thread.sleep(100);
            }
            s.execute("SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '" + slot + "'");
        } catch (Exception e) {
            System.err.println("Cannot drop slot " + slot + ": " + e.getMessage() + ". Drop it by hand.");
        }
    }

    /** pgbench-like single-row balance updates on the snapshotted table at a fixed rate. */
    private final class Load {
        final AtomicLong done = new AtomicLong();
        private final int rate;
        private volatile boolean stop;
        private Thread thread;

        Load(int rate) {
            this.rate = rate;
        }

        void start() {
            thread = new Thread(() -> {
                Random random = new Random(1);
                long pause = 1_000_000_000L / rate;
                try (Connection c = services.connect(); Statement s = c.createStatement()) {
                    long next = System.nanoTime();
                    while (!stop) {
                        s.execute("UPDATE " + table + " SET abalance = abalance + " + (random.nextInt(10000) - 5000)
                                + " WHERE aid = " + (1 + random.nextInt(rows)));
                        done.incrementAndGet();
                        next += pause;
                        long sleep = next - System.nanoTime();
                        if (sleep > 0) TimeUnit.NANOSECONDS.sleep(sleep);
                    }
                } catch (Exception e) {
                    System.err.println("The load failed: " + e);
                }
            }, "bench-load");
            thread.setDaemon(true);
            thread.start();
        }

        void stop() throws InterruptedException {
            stop = true;
            thread.join(30_000);
        }
    }

    /**
     * CPU time of the bench JVM's threads, grouped by what they do, GC time, and from /proc the CPU of the PostgreSQL
     * processes and of the Kafka broker's JVM (the other two consumers of the same two cores).
     */
    private static final class Cpu {
        private final Map<Long, Long> start = new HashMap<>();
        private final long gcStart;
        private final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        private final Map<String, Long> processesStart;

        private Cpu() {
            for (long id : mx.getAllThreadIds()) start.put(id, Math.max(0, mx.getThreadCpuTime(id)));
            gcStart = gcMillis();
            processesStart = processTicks();
        }

        /** Clock ticks (utime + stime, 100 per second) of the postgres processes and of the broker JVM. */
        private static Map<String, Long> processTicks() {
            Map<String, Long> out = new TreeMap<>();
            ProcessHandle.allProcesses().forEach(ph -> {
                String cmd = ph.info().commandLine().orElse(ph.info().command().orElse(""));
                String group = (cmd.contains("kafka.Kafka") || cmd.contains("KafkaBrokerMain")) ? "Kafka broker" : cmd.contains("postgres") ? "PostgreSQL" : null;
                if (group == null) return;
                try {
                    String stat = Files.readString(Path.of("/proc/" + ph.pid() + "/stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.merge(group, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
                } catch (Exception ignored) {
                    // the process ended or /proc is not readable: not counted
                }
            });
            jvmInternals(out);
            return out;
        }

        /**
         * Clock ticks of this JVM's own threads that ThreadMXBean does not show (the JIT compilers, the GC's workers),
         * and of the whole process, whose CPU is then the Java threads' plus these.
         */
        private static void jvmInternals(Map<String, Long> out) {
            try (var tasks = Files.list(Path.of("/proc/self/task"))) {
                tasks.forEach(task -> {
                    try {
                        String comm = Files.readString(task.resolve("comm")).strip();
                        String group = comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler") ? "bench JVM's JIT compilers"
                                : comm.startsWith("GC Thread") || comm.startsWith("G1 ") ? "bench JVM's GC threads" : null;
                        if (group == null) return;
                        String stat = Files.readString(task.resolve("stat"));
                        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        out.merge(group, Long.parseLong(f[11]) + Long.parseLong(f[12]), Long::sum);
                    } catch (Exception ignored) {
                        // the thread ended: not counted
                    }
                });
                String stat = Files.readString(Path.of("/proc/self/stat"));
                String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                out.put("bench JVM process, all threads", Long.parseLong(f[11]) + Long.parseLong(f[12]));
            } catch (Exception ignored) {
                // no /proc: only the Java threads are counted
            }
        }

        static Cpu start() {
            return new Cpu();
        }

        String report(long rows) {
            Map<String, Long> byGroup = new TreeMap<>();
            for (long id : mx.getAllThreadIds()) {
                ThreadInfo info = mx.getThreadInfo(id);
                long now = mx.getThreadCpuTime(id);
                if (info == null || now < 0) continue;
                byGroup.merge(group(info.getThreadName()), now - start.getOrDefault(id, 0L), Long::sum);
            }
            StringBuilder sb = new StringBuilder();
            long total = 0;
            for (var e : byGroup.entrySet()) {
                if (e.getValue() < 1_000_000) continue;
                total += e.getValue();
                if (sb.length() > 0) sb.append(", ");
                sb.append(e.getKey()).append(' ').append(String.format("%.2f", e.getValue() / 1000.0 / rows));
            }
            StringBuilder others = new StringBuilder();
            for (var e : processTicks().entrySet()) {
                long ticks = e.getValue() - processesStart.getOrDefault(e.getKey(), 0L);
                others.append("; ").append(e.getKey()).append(' ').append(String.format("%.2f", ticks * 10_000.0 / rows));
            }
            return String.format("bench JVM total %.2f (%s); GC %.2f (pause time, all collectors)%s", total / 1000.0 / rows, sb,
                    (gcMillis() - gcStart) * 1000.0 / rows, others);
        }

        private static String group(String name) {
            if (Boolean.getBoolean("snapshotbench.threads")) return name.replaceAll("\\d+", "N");
            if (name.startsWith("tideline-snapshot-reader")) return "chunk read + decode";
            if (name.startsWith("tideline-snapshot")) return "chunk planning";
            if (name.contains("change-event-source") || name.contains("debezium") || name.startsWith("pool-")) return "stream thread (filter, journal, stamp)";
            if (name.startsWith("kafka-producer-network-thread")) return "Kafka producer I/O";
            if (name.startsWith("tideline-")) return "runtime + sink writers";
            if (name.startsWith("bench-load")) return "bench load";
            if (name.equals("main")) return "bench main thread";
            return "other";
        }

        private static long gcMillis() {
            long sum = 0;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) sum += Math.max(0, gc.getCollectionTime());
            return sum;
        }
    }
}
