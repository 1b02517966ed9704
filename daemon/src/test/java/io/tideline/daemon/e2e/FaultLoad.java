package io.tideline.daemon.e2e;

import io.tideline.testkit.PostgresCluster;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/** Updates, inserts and deletes on {@code t}, reconnecting through outages, until stopped. */
final class FaultLoad implements AutoCloseable {
    final AtomicBoolean stop = new AtomicBoolean();
    final AtomicLong done = new AtomicLong();
    final Thread thread;

    FaultLoad(PostgresCluster pg, String db) {
        thread = new Thread(() -> {
            while (!stop.get()) {
                try (Connection c = pg.connect(db); Statement s = c.createStatement()) {
                    while (!stop.get()) {
                        int id = 1 + ThreadLocalRandom.current().nextInt(20_000);
                        s.execute(switch ((int) (done.get() % 4)) {
                            case 0 -> "UPDATE t SET v = v + 1 WHERE id = " + id;
                            case 1 -> "INSERT INTO t VALUES (" + (100_000 + done.get()) + ", 1)";
                            case 2 -> "DELETE FROM t WHERE id = " + id;
                            default -> "UPDATE t SET v = v + 1 WHERE id BETWEEN " + id + " AND " + (id + 20);
                        });
                        done.incrementAndGet();
                        Thread.sleep(5);
                    }
                } catch (InterruptedException e) {
                    return;
                } catch (Exception e) {
                    try {
                        Thread.sleep(200);   // the server is restarting: connect again
                    } catch (InterruptedException ie) {
                        return;
                    }
                }
            }
        }, "fault-load");
        thread.start();
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        thread.join(30_000);
    }
}
