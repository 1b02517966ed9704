package io.tideline.daemon.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.PostgresCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11's outage promise: PostgreSQL stopped ({@code pg_ctl stop -m fast}) for far longer than the runtime's
 * maximum of unexplained failures is waited out, not fatal. {@code /health/ready} says why it is not ready while the
 * database is gone; once it is back, changes flow again and nothing was lost.
 */
class PostgresOutageIT {

    @TempDir
    Path dir;

    @Test
    void aPostgresOutageLongerThanTheFailureLimitIsWaitedOutAndChangesFlowAfterIt() throws Exception {
        KafkaBroker kafka = KafkaBroker.shared();
        try (PostgresCluster pg = PostgresCluster.startNew()) {
            org.junit.jupiter.api.Assumptions.assumeFalse(pg.isExternal(),
                    "skipped: TIDELINE_TEST_PG_URL points at an external server, which this test would stop");
            String db = pg.createDatabase("outage");
            pg.executeIn(db, "CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'before')");
            kafka.createTopic("outage.public.t", 1);
            List<String> lines = E2e.config(pg, db, "outage", dir.resolve("state"), kafka, "outage");
            lines.addAll(List.of(
                    "tideline.source.table.include.list=public.t",
                    "tideline.runtime.epoch.duration=1s",
                    // three unexplained failures would end the daemon within ~2 s; the outage lasts 12 s
                    "tideline.runtime.restart.max.failures=3",
                    "tideline.runtime.restart.backoff.initial=200ms",
                    "tideline.runtime.restart.backoff.max=1s",
                    "tideline.sink.kafka.schemas.enable=false"));
            Path config = E2e.write(dir.resolve("tideline.properties"), lines);
            try (DaemonProcess daemon = DaemonProcess.start(config, null, dir.resolve("daemon.log"))) {
                String base = E2e.httpBase(daemon, dir.resolve("daemon.log"));
                await(() -> get(base + "/health/ready").status() == 200, daemon, Duration.ofSeconds(90), "ready after the snapshot");
                await(() -> values(kafka).contains("before"), daemon, Duration.ofSeconds(30), "the snapshot in Kafka");

                pg.stop(false);
                long outageEnds = System.nanoTime() + Duration.ofSeconds(12).toNanos();
                boolean sawReason = false;
                while (System.nanoTime() < outageEnds) {
                    if (!daemon.isAlive()) fail("the daemon exited during the outage:\n" + daemon.tail());
                    E2e.Http r = get(base + "/health/ready");
                    if (r.status() == 503 && r.body().contains("restarting after a transient failure")) sawReason = true;
                    Thread.sleep(250);
                }
                assertTrue(sawReason, "/health/ready said it was reconnecting");
                pg.start();
                pg.executeIn(db, "INSERT INTO t VALUES (2, 'after')", "UPDATE t SET v = 'changed' WHERE id = 1");
                await(() -> values(kafka).containsAll(List.of("after", "changed")), daemon, Duration.ofSeconds(120),
                        "the changes made after the outage in Kafka");
                await(() -> get(base + "/health/ready").status() == 200, daemon, Duration.ofSeconds(60), "ready again");
                String metrics = get(base + "/metrics").body();
                assertTrue(metrics.contains("tideline_runtime_failures_total{application=\"tideline\",kind=\"transient\"}"), metrics);
                assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), "graceful stop exits 0:\n" + daemon.tail());
            } finally {
                if (!pg.isRunning()) pg.start();
                E2e.dropSlot(pg, db, "outage");
            }
        }
    }

    /** The {@code v} of every record in the topic, in order. */
    private static List<String> values(KafkaBroker kafka) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll("outage.public.t", Duration.ofSeconds(20))) {
            if (r.value() == null) continue;
            String json = new String(r.value(), StandardCharsets.UTF_8);
            var after = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json).get("after");
            if (after != null && !after.isNull()) out.add(after.get("v").asText());
        }
        return out;
    }

    private static E2e.Http get(String url) {
        return E2e.get(url);
    }

    private static void await(E2e.Check condition, DaemonProcess daemon, Duration timeout, String what) throws Exception {
        E2e.await(condition, daemon, timeout, what);
    }
}
