package io.tideline.demo;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * A steady stream of shop transactions at a fixed rate: new orders (some with a new customer in the same
 * transaction), status updates, cancellations (deletes), page views, price changes that leave the TOAST
 * description untouched, and, once, a new column on customers that later rows fill.
 */
final class DemoWorkload implements AutoCloseable {

    private static final String S = DemoSchema.SCHEMA;
    private static final long SCHEMA_CHANGE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(20);

    private final DemoDatabase db;
    private final int ratePerSecond;
    private final BooleanSupplier snapshotDone;
    private final AtomicLong transactions = new AtomicLong();
    private final Thread thread;
    private volatile boolean stopping;
    private volatile boolean schemaChanged;
    private volatile Exception failure;
    /** Seconds between 50,000-row transactions (large enough to spill); 0: none. */
    private volatile int bulkEverySeconds;
    private final AtomicLong bulkTransactions = new AtomicLong();

    DemoWorkload(DemoDatabase db, int ratePerSecond, BooleanSupplier snapshotDone) {
        this.db = db;
        this.ratePerSecond = ratePerSecond;
        this.snapshotDone = snapshotDone;
        this.thread = new Thread(this::run, "demo-workload");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
        interleaved.forEach(Thread::start);
    }

    /**
     * Adds {@code connections} more connections, each running its own transactions that stay open for a few tens
     * of milliseconds (an insert, a pause, a status update, a pause, an insert): their begin and commit orders
     * interleave with each other's and with the main stream's, as an application's connection pool does.
     */
    DemoWorkload withInterleavedConnections(int connections) {
        for (int i = 0; i < connections; i++) {
            Thread t = new Thread(this::interleave, "demo-workload-interleaved-" + i);
            t.setDaemon(true);
            interleaved.add(t);
        }
        return this;
    }

    private final java.util.List<Thread> interleaved = new java.util.ArrayList<>();

    private void interleave() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            while (!stopping) {
                s.execute("INSERT INTO " + S + ".page_views (customer_id, url) VALUES (" + (1 + r.nextInt(500)) + ", '/interleaved/open')");
                s.execute("SELECT pg_sleep(" + r.nextInt(40) / 1000.0 + ")");
                s.execute("UPDATE " + S + ".orders SET status = 'paid' WHERE id = (SELECT id FROM " + S + ".orders"
                        + " WHERE status = 'new' ORDER BY random() LIMIT 1)");
                s.execute("SELECT pg_sleep(" + r.nextInt(40) / 1000.0 + ")");
                s.execute("INSERT INTO " + S + ".page_views (customer_id, url) VALUES (" + (1 + r.nextInt(500)) + ", '/interleaved/close')");
                c.commit();
                transactions.incrementAndGet();
                TimeUnit.MILLISECONDS.sleep(20 + r.nextInt(40));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException e) {
            if (!stopping) {
                failure = e;
            }
        }
    }

    /** Adds a 50,000-row insert into page_views, in one transaction, every {@code seconds}. */
    DemoWorkload withBulkEvery(int seconds) {
        this.bulkEverySeconds = seconds;
        return this;
    }

    long bulkTransactions() {
        return bulkTransactions.get();
    }

    long transactions() {
        return transactions.get();
    }

    boolean schemaChanged() {
        return schemaChanged;
    }

    /** Why the workload stopped early, or null. */
    Exception failure() {
        return failure;
    }

    private void run() {
        long started = System.nanoTime();
        long intervalNanos = TimeUnit.SECONDS.toNanos(1) / Math.max(1, ratePerSecond);
        long next = System.nanoTime();
        long nextBulk = System.nanoTime() + TimeUnit.SECONDS.toNanos(Math.max(1, bulkEverySeconds));
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            while (!stopping) {
                if (bulkEverySeconds > 0 && System.nanoTime() > nextBulk) {
                    s.execute("INSERT INTO " + S + ".page_views (customer_id, url) SELECT 1 + (g % 500), '/bulk/' || g"
                            + " FROM generate_series(1, 50000) g");
                    c.commit();
                    bulkTransactions.incrementAndGet();
                    nextBulk = System.nanoTime() + TimeUnit.SECONDS.toNanos(bulkEverySeconds);
                }
                if (!schemaChanged && System.nanoTime() - started > SCHEMA_CHANGE_AFTER_NANOS) {
                    s.execute("ALTER TABLE " + S + ".customers ADD COLUMN loyalty_tier text");
                    c.commit();
                    schemaChanged = true;
                }
                oneTransaction(s);
                c.commit();
                transactions.incrementAndGet();
                next += intervalNanos;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                } else if (wait < -TimeUnit.SECONDS.toNanos(1)) {
                    next = System.nanoTime();   // fell behind (a slow machine): do not burst to catch up
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (SQLException e) {
            if (!stopping) {
                failure = e;
            }
        }
    }

    private void oneTransaction(Statement s) throws SQLException {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        int dice = r.nextInt(100);
        if (dice < 35) {
            String customer = "(SELECT id FROM " + S + ".customers ORDER BY random() LIMIT 1)";
            if (r.nextInt(5) == 0) {
                s.execute("INSERT INTO " + S + ".customers (name, email" + (schemaChanged ? ", loyalty_tier" : "")
                        + ") VALUES ('new customer', 'new-' || md5(random()::text) || '@example.com'"
                        + (schemaChanged ? ", 'gold'" : "") + ")");
                customer = "currval('" + S + ".customers_id_seq')";
            }
            s.execute("INSERT INTO " + S + ".orders (customer_id, product_id, quantity) VALUES (" + customer + ", "
                    + (1 + r.nextInt(40)) + ", " + (1 + r.nextInt(5)) + ")");
        } else if (dice < 60) {
            s.execute("UPDATE " + S + ".orders SET status = CASE status WHEN 'new' THEN 'paid' WHEN 'paid' THEN 'shipped'"
                    + " ELSE 'delivered' END WHERE id = (SELECT id FROM " + S + ".orders WHERE status <> 'delivered'"
                    + " ORDER BY random() LIMIT 1)");
        } else if (dice < 70) {
            s.execute("DELETE FROM " + S + ".orders WHERE id = (SELECT min(id) FROM " + S + ".orders)");
        } else if (dice < 92) {
            s.execute("INSERT INTO " + S + ".page_views (customer_id, url) VALUES (" + (1 + r.nextInt(500))
                    + ", '/products/" + (1 + r.nextInt(40)) + "')");
        } else if (dice < 97 || !schemaChanged) {
            // Once the snapshot is done, the description (TOASTed) is not part of the change: Kafka consumers see
            // Debezium's unavailable-value placeholder and the Iceberg upsert table keeps the value it holds. While
            // the snapshot runs the description is rewritten too: a row the stream changes during its table's
            // snapshot reaches the sinks only as that change (see README, "Snapshots"), so an unchanged TOAST
            // value would have no earlier row to come from.
            String description = snapshotDone.getAsBoolean() ? "" : ", description = " + DemoSchema.TOAST_TEXT;
            s.execute("UPDATE " + S + ".products SET price = round((random() * 100)::numeric, 2)" + description
                    + " WHERE id = " + (1 + r.nextInt(40)));
        } else {
            s.execute("UPDATE " + S + ".customers SET loyalty_tier = (ARRAY['silver','gold','platinum'])[1 + "
                    + r.nextInt(3) + "] WHERE id = " + (1 + r.nextInt(500)));
        }
    }

    /** Stops after the transaction in flight; bounded, so a hung statement cannot hold the demo's exit. */
    @Override
    public void close() throws InterruptedException {
        stopping = true;
        thread.interrupt();
        thread.join(TimeUnit.SECONDS.toMillis(10));
        for (Thread t : interleaved) {
            t.interrupt();
            t.join(TimeUnit.SECONDS.toMillis(10));
        }
    }
}
