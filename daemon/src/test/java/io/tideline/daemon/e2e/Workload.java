package io.tideline.daemon.e2e;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A seeded mix of inserts, updates, deletes and multi-statement transactions over {@code accounts} and
 * {@code orders}, committed one transaction at a time. It remembers, per key, the changes it made (op and the
 * transaction sequence number written into the row), how many row changes each transaction made, and an LSN
 * taken right after each commit: an upper bound of that commit's LSN and a strict lower bound of the next one's.
 * Every transaction also bumps {@code ticks}, so each one has a record that names its sequence number.
 */
final class Workload {

    static final String SCHEMA_SQL = """
            CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL, tx_seq bigint NOT NULL);
            CREATE TABLE orders (id bigint PRIMARY KEY, account_id int NOT NULL, amount numeric(12,2) NOT NULL,
                                 tx_seq bigint NOT NULL);
            CREATE TABLE ticks (id int PRIMARY KEY, tx_seq bigint NOT NULL);
            """;
    static final List<String> TABLES = List.of("accounts", "orders", "ticks");

    private final Connection conn;
    private final Random random;
    private final Map<String, List<String>> expected = new ConcurrentHashMap<>();
    private final Map<Long, Integer> changesPerTx = new ConcurrentHashMap<>();
    private final Map<Long, Long> lsnAfterCommit = new ConcurrentHashMap<>();
    private final List<Integer> liveAccounts = new ArrayList<>();
    private final List<Long> liveOrders = new ArrayList<>();
    private final AtomicLong seq = new AtomicLong();
    private int nextAccount = 1;
    private long nextOrder = 1;
    private final AtomicBoolean running = new AtomicBoolean();
    private Thread thread;
    private final java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();

    Workload(Connection conn, long seed) {
        this.conn = conn;
        this.random = new Random(seed);
    }

    /** Creates the tables and the rows the initial snapshot will read (transaction 0). */
    void setUp(int initialAccounts) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute(SCHEMA_SQL);
            st.execute("INSERT INTO ticks VALUES (1, 0)");
            record("ticks", 1, "r:0");
            for (int i = 0; i < initialAccounts; i++) {
                int id = nextAccount++;
                st.execute("INSERT INTO accounts VALUES (" + id + ", 100, 0)");
                liveAccounts.add(id);
                record("accounts", id, "r:0");
            }
        }
        changesPerTx.put(0L, initialAccounts + 1);
        lsnAfterCommit.put(0L, currentLsn());
    }

    /** Runs transactions at roughly {@code perSecond} on a background thread until {@link #stop()}. */
    void start(int perSecond) throws SQLException {
        // Transaction 1 commits above this LSN: the bound the slot may reach while only the snapshot is durable.
        lsnAfterCommit.put(0L, currentLsn());
        running.set(true);
        thread = new Thread(() -> {
            long pauseNanos = 1_000_000_000L / perSecond;
            while (running.get()) {
                try {
                    runOne();
                    java.util.concurrent.locks.LockSupport.parkNanos(pauseNanos);
                } catch (SQLException | RuntimeException e) {
                    failure.set(e); // rethrown by stop(): a dead workload must fail the test, not thin it out
                    return;
                }
            }
        }, "workload");
        thread.start();
    }

    /** Stops the load thread (within 60 s) and rethrows what it failed with, if anything. */
    void stop() throws InterruptedException {
        running.set(false);
        thread.join(60_000);
        if (thread.isAlive()) throw new AssertionError("the workload thread did not stop within 60 s");
        Throwable f = failure.get();
        if (f != null) throw new AssertionError("the workload failed", f);
    }

    Connection connection() {
        return conn;
    }

    long lastSeq() {
        return seq.get();
    }

    Map<String, List<String>> expected() {
        return expected;
    }

    int changes(long txSeq) {
        return changesPerTx.getOrDefault(txSeq, -1);
    }

    long lsnAfterCommit(long txSeq) {
        return lsnAfterCommit.get(txSeq);
    }

    /**
     * Makes transaction {@code seq} insert {@code rows} orders: more than the source keeps in memory
     * ({@code tideline.source.transaction.buffer.changes}), so it spills to disk while it waits for its commit.
     */
    void spillAt(long seq, int rows) {
        this.spillSeq = seq;
        this.spillRows = rows;
    }

    private long spillSeq = -1;
    private int spillRows;

    private void runOne() throws SQLException {
        long s = seq.get() + 1;
        Map<String, String> changes = new LinkedHashMap<>();
        List<Runnable> onCommit = new ArrayList<>();
        List<String> sql = new ArrayList<>();
        int kind = random.nextInt(10);
        if (s == spillSeq && !liveAccounts.isEmpty()) {                  // one transaction too large for memory
            int account = liveAccounts.get(0);
            long first = nextOrder;
            nextOrder += spillRows;
            sql.add("INSERT INTO orders SELECT g, " + account + ", 1.25, " + s + " FROM generate_series(" + first + ", "
                    + (first + spillRows - 1) + ") g");
            for (long o = first; o < first + spillRows; o++) changes.put("orders:" + o, "c:" + s);
        } else if (kind < 3 || liveAccounts.size() < 5) {                        // insert 1..3 accounts
            int n = 1 + random.nextInt(3);
            for (int i = 0; i < n; i++) {
                int id = nextAccount++;
                sql.add("INSERT INTO accounts VALUES (" + id + ", " + random.nextInt(1000) + ", " + s + ")");
                changes.put("accounts:" + id + "#" + i, "c:" + s);
                onCommit.add(() -> liveAccounts.add(id));
            }
        } else if (kind < 6) {                                           // update one account
            int id = liveAccounts.get(random.nextInt(liveAccounts.size()));
            sql.add("UPDATE accounts SET balance = balance + " + (1 + random.nextInt(50)) + ", tx_seq = " + s + " WHERE id = " + id);
            changes.put("accounts:" + id, "u:" + s);
        } else if (kind < 7) {                                           // delete one account
            int idx = random.nextInt(liveAccounts.size());
            int id = liveAccounts.get(idx);
            sql.add("DELETE FROM accounts WHERE id = " + id);
            changes.put("accounts:" + id, "d");
            onCommit.add(() -> liveAccounts.remove(Integer.valueOf(id)));
        } else {                                                         // order + account update (+ order delete)
            int account = liveAccounts.get(random.nextInt(liveAccounts.size()));
            long order = nextOrder++;
            sql.add("INSERT INTO orders VALUES (" + order + ", " + account + ", " + random.nextInt(10000) + ".25, " + s + ")");
            changes.put("orders:" + order, "c:" + s);
            onCommit.add(() -> liveOrders.add(order));
            sql.add("UPDATE accounts SET balance = balance - 1, tx_seq = " + s + " WHERE id = " + account);
            changes.put("accounts:" + account, "u:" + s);
            if (!liveOrders.isEmpty() && random.nextBoolean()) {
                long victim = liveOrders.get(random.nextInt(liveOrders.size()));
                sql.add("DELETE FROM orders WHERE id = " + victim);
                changes.put("orders:" + victim, "d");
                onCommit.add(() -> liveOrders.remove(Long.valueOf(victim)));
            }
        }
        sql.add("UPDATE ticks SET tx_seq = " + s + " WHERE id = 1");
        changes.put("ticks:1", "u:" + s);

        conn.setAutoCommit(false);
        try (Statement st = conn.createStatement()) {
            for (String q : sql) st.execute(q);
            conn.commit();
        } catch (SQLException e) {
            conn.rollback();
            throw e;
        } finally {
            conn.setAutoCommit(true);
        }
        changes.forEach((k, v) -> {
            int hash = k.indexOf('#');
            String key = hash < 0 ? k : k.substring(0, hash);
            int colon = key.indexOf(':');
            record(key.substring(0, colon), Long.parseLong(key.substring(colon + 1)), v);
        });
        onCommit.forEach(Runnable::run);
        changesPerTx.put(s, changes.size());
        lsnAfterCommit.put(s, currentLsn());
        seq.set(s);
    }

    private void record(String table, long id, String change) {
        expected.computeIfAbsent(table + ":" + id, k -> new ArrayList<>()).add(change);
    }

    private long currentLsn() throws SQLException {
        try (Statement st = conn.createStatement();
             ResultSet rs = st.executeQuery("SELECT pg_current_wal_insert_lsn() - '0/0'::pg_lsn")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Rows of a table as id → "col=value,..." for comparison with a sink's copy. */
    static Map<Long, Map<String, Object>> rows(Connection conn, String table) throws SQLException {
        Map<Long, Map<String, Object>> out = new HashMap<>();
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery("SELECT * FROM " + table)) {
            var md = rs.getMetaData();
            while (rs.next()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= md.getColumnCount(); i++) row.put(md.getColumnName(i), rs.getObject(i));
                out.put(rs.getLong("id"), row);
            }
        }
        return out;
    }
}
