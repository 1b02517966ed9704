package io.tideline.daemon.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tideline.testkit.IcebergWarehouse;
import io.tideline.testkit.KafkaBroker;
import io.tideline.testkit.PostgresCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11's source-identity promise: the common migration (the database moves to a new cluster, the daemon starts
 * over with an empty state dir on the existing topics and tables) stops with an error that names the cluster the
 * sinks hold, instead of skipping every change of the new cluster as "already held"; a state dir of another cluster
 * is refused too; {@code tideline.sink.fence.reset.for.new.source=true} starts the fences over.
 */
class SourceIdentityIT {

    @TempDir
    Path dir;

    @Test
    void sinksHoldingAnotherClustersChangesStopTheDaemonUnlessTheirFencesAreResetOnPurpose() throws Exception {
        KafkaBroker kafka = KafkaBroker.shared();
        kafka.createTopic("ident.public.t", 1);
        try (IcebergWarehouse warehouse = IcebergWarehouse.hadoop(); PostgresCluster second = PostgresCluster.startNew()) {
            org.junit.jupiter.api.Assumptions.assumeFalse(second.isExternal(),
                    "skipped: with TIDELINE_TEST_PG_URL there is no second cluster to migrate to");
            PostgresCluster first = PostgresCluster.shared();
            String dbA = first.createDatabase("ident");
            first.executeIn(dbA, "CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'a1'), (2, 'a2')");
            Path configA = config("a", first, dbA, dir.resolve("state-a"), warehouse, false);
            try (DaemonProcess daemon = DaemonProcess.start(configA, null, dir.resolve("a.log"))) {
                await(() -> values(kafka).containsAll(List.of("a1", "a2")) && icebergRows(warehouse) == 2, daemon, "the first cluster's rows");
                assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), daemon.tail());
            }
            // the migration: the same table on a new cluster, whose LSNs are unrelated to the first one's
            String dbB = second.createDatabase("ident");
            second.executeIn(dbB, "CREATE TABLE t (id int PRIMARY KEY, v text)", "INSERT INTO t VALUES (1, 'b1'), (3, 'b3')");

            Path freshState = config("b", second, dbB, dir.resolve("state-b"), warehouse, false);
            try (DaemonProcess daemon = DaemonProcess.start(freshState, null, dir.resolve("b.log"))) {
                int code = exitCode(daemon);
                assertNotEquals(0, code, daemon.tail());
                assertTrue(daemon.logContains("holds changes of PostgreSQL cluster"), daemon.tail());
                assertTrue(daemon.logContains("tideline.sink.fence.reset.for.new.source"), daemon.tail());
            }
            Path oldState = config("b-old-state", second, dbB, dir.resolve("state-a"), warehouse, false);
            try (DaemonProcess daemon = DaemonProcess.start(oldState, null, dir.resolve("b-old-state.log"))) {
                assertNotEquals(0, exitCode(daemon), daemon.tail());
                assertTrue(daemon.logContains("it is a different PostgreSQL cluster"), daemon.tail());
            }
            assertEquals(List.of("a1", "a2"), values(kafka), "nothing was written for the new cluster");

            Path reset = config("b-reset", second, dbB, dir.resolve("state-b2"), warehouse, true);
            try (DaemonProcess daemon = DaemonProcess.start(reset, null, dir.resolve("b-reset.log"))) {
                await(() -> values(kafka).containsAll(List.of("b1", "b3")), daemon, "the new cluster's rows after the reset");
                assertEquals(0, daemon.terminate(Duration.ofSeconds(60)), daemon.tail());
            }
            for (ConsumerRecord<byte[], byte[]> r : kafka.readAll("ident.public.t", Duration.ofSeconds(20))) {
                assertTrue(r.headers().lastHeader("tideline.source") != null, "every record names its source cluster");
            }
            assertTrue(warehouse.table("ident", "t").properties().containsKey("tideline.source"));
        }
    }

    private Path config(String name, PostgresCluster pg, String db, Path state, IcebergWarehouse warehouse, boolean reset)
            throws Exception {
        List<String> lines = E2e.config(pg, db, "ident", state, KafkaBroker.shared(), "ident");
        lines.addAll(List.of(
                "tideline.source.table.include.list=public.t",
                "tideline.runtime.epoch.duration=1s",
                "tideline.runtime.restart.max.failures=1",
                "tideline.sink.kafka.schemas.enable=false",
                "tideline.sink.fence.reset.for.new.source=" + reset));
        return E2e.write(dir.resolve(name + ".properties"), E2e.iceberg(lines, warehouse, "ident", "1s"));
    }

    private static int exitCode(DaemonProcess daemon) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (daemon.isAlive()) {
            if (System.nanoTime() > deadline) fail("the daemon kept running against another cluster's sinks:\n" + daemon.tail());
            Thread.sleep(200);
        }
        return daemon.terminate(Duration.ofSeconds(5));
    }

    private static List<String> values(KafkaBroker kafka) throws Exception {
        List<String> out = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> r : kafka.readAll("ident.public.t", Duration.ofSeconds(20))) {
            if (r.value() == null) continue;
            var after = new com.fasterxml.jackson.databind.ObjectMapper().readTree(new String(r.value(), StandardCharsets.UTF_8)).get("after");
            if (after != null && !after.isNull()) out.add(after.get("v").asText());
        }
        return out;
    }

    private static long icebergRows(IcebergWarehouse warehouse) {
        if (!warehouse.catalog().tableExists(org.apache.iceberg.catalog.TableIdentifier.of("ident", "t"))) return 0;
        return warehouse.readAll("ident", "t").size();
    }

    private static void await(E2e.Check condition, DaemonProcess daemon, String what) throws Exception {
        E2e.await(condition, daemon, Duration.ofSeconds(90), what);
    }
}
