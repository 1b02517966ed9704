package io.tideline.bench.kafka;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;

/**
 * The floor of this machine: PgJDBC's replication stream (pgoutput) decoded here and sent straight to a
 * KafkaProducer tuned for latency ({@code linger.ms=0}, {@code acks=all}, idempotence on). The slot is
 * confirmed up to the last transaction whose records Kafka acknowledged.
 */
final class FloorPath implements CapturePath {
    private final BenchServices services;
    private Connection connection;
    private PGReplicationStream stream;
    private KafkaProducer<byte[], byte[]> producer;
    private Thread thread;
    private volatile boolean running;
    private volatile Throwable failure;

    FloorPath(BenchServices services) {
        this.services = services;
    }

    @Override
    public String label() {
        return "floor: PgJDBC pgoutput → KafkaProducer (linger.ms=0)";
    }

    @Override
    public String failure() {
        return failure == null ? null : failure.toString();
    }

    @Override
    public void start(Fixture fixture, Receipts receipts) throws Exception {
        Properties p = fixture.connectionProperties();
        PGProperty.ASSUME_MIN_SERVER_VERSION.set(p, "9.4");
        PGProperty.REPLICATION.set(p, "database");
        PGProperty.PREFER_QUERY_MODE.set(p, "simple");
        connection = DriverManager.getConnection(services.jdbcUrl(), p);
        stream = connection.unwrap(PGConnection.class).getReplicationAPI().replicationStream().logical()
                .withSlotName(fixture.slot)
                .withSlotOption("proto_version", "1")
                .withSlotOption("publication_names", fixture.publication)
                .withStatusInterval(1, TimeUnit.SECONDS)
                .start();
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, services.bootstrap,
                ProducerConfig.LINGER_MS_CONFIG, "0",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"),
                new ByteArraySerializer(), new ByteArraySerializer());
        running = true;
        thread = new Thread(() -> loop(fixture.topic), "bench-floor");
        thread.setDaemon(true);
        thread.start();
    }

    private void loop(String topic) {
        AtomicLong acked = new AtomicLong();
        long[] sent = {0};
        ArrayDeque<long[]> commits = new ArrayDeque<>(); // {records sent up to this commit, end LSN}
        PgOutputDecoder decoder = new PgOutputDecoder();
        PgOutputDecoder.Handler handler = new PgOutputDecoder.Handler() {
            @Override
            public void insert(String[] columns, String[] values) {
                byte[] key = ("{\"" + columns[0] + "\":" + values[0] + "}").getBytes(StandardCharsets.UTF_8);
                producer.send(new ProducerRecord<>(topic, key, json(columns, values)), (m, e) -> {
                    if (e != null) {
                        failure = e;
                    } else {
                        acked.incrementAndGet();
                    }
                });
                sent[0]++;
            }

            @Override
            public void commit(long endLsn) {
                commits.add(new long[] {sent[0], endLsn});
            }
        };
        long lastStatus = System.nanoTime();
        try {
            while (running) {
                ByteBuffer message = stream.read();
                if (message != null) {
                    decoder.decode(message, handler);
                }
                if (System.nanoTime() - lastStatus > 1_000_000_000L) {
                    confirm(commits, acked.get());
                    lastStatus = System.nanoTime();
                }
            }
        } catch (Throwable t) {
            if (running) {
                failure = t;
            }
        }
    }

    /** Confirms the slot up to the last transaction Kafka fully acknowledged, never further. */
    private void confirm(ArrayDeque<long[]> commits, long acked) throws Exception {
        long lsn = -1;
        while (!commits.isEmpty() && commits.peek()[0] <= acked) {
            lsn = commits.poll()[1];
        }
        if (lsn >= 0) {
            LogSequenceNumber l = LogSequenceNumber.valueOf(lsn);
            stream.setAppliedLSN(l);
            stream.setFlushedLSN(l);
            stream.forceUpdateStatus();
        }
    }

    static byte[] json(String[] columns, String[] values) {
        StringBuilder sb = new StringBuilder(128).append('{');
        for (int i = 0; i < columns.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append('"').append(columns[i]).append("\":");
            String v = values[i];
            if (v == null) {
                sb.append("null");
            } else if (isInteger(v)) {
                sb.append(v);
            } else {
                sb.append('"').append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        return sb.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    private static boolean isInteger(String v) {
        int start = v.startsWith("-") ? 1 : 0;
        if (v.length() == start || v.length() - start > 18) {
            return false;
        }
        for (int i = start; i < v.length(); i++) {
            if (v.charAt(i) < '0' || v.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws Exception {
        running = false;
        try {
            if (connection != null) {
                connection.close(); // unblocks read()
            }
            if (thread != null) {
                thread.join(10_000);
            }
        } finally {
            if (producer != null) {
                producer.close();
            }
        }
        if (failure != null) {
            throw new IllegalStateException("Cannot run the floor path: " + failure + ".", failure);
        }
    }
}
