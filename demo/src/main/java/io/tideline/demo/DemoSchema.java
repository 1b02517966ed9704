package io.tideline.demo;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * A small shop: customers, products (with a TOAST-sized description), orders referencing both, and page views,
 * which have no primary key (Kafka keys them by nothing, Iceberg keeps them as an append table).
 */
final class DemoSchema {

    static final String SCHEMA = "demo_shop";
    static final List<String> TABLES = List.of("customers", "products", "orders", "page_views");

    /** About 6 KB of hex: compresses to ~3 KB, over PostgreSQL's 2 KB TOAST threshold. */
    static final String TOAST_TEXT = "(SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 200))";

    private DemoSchema() {
    }

    static String includeList() {
        return String.join(",", TABLES.stream().map(t -> SCHEMA + "." + t).toList());
    }

    /** Drops what an earlier demo left in its own schema and creates the tables with some rows to snapshot. */
    static void create(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
            s.execute("CREATE SCHEMA " + SCHEMA);
            s.execute("CREATE TABLE " + SCHEMA + ".customers (id bigserial PRIMARY KEY, name text NOT NULL,"
                    + " email text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())");
            s.execute("CREATE TABLE " + SCHEMA + ".products (id bigserial PRIMARY KEY, name text NOT NULL,"
                    + " price numeric(10,2) NOT NULL, description text)");
            s.execute("CREATE TABLE " + SCHEMA + ".orders (id bigserial PRIMARY KEY,"
                    + " customer_id bigint NOT NULL REFERENCES " + SCHEMA + ".customers(id),"
                    + " product_id bigint NOT NULL REFERENCES " + SCHEMA + ".products(id),"
                    + " quantity int NOT NULL, status text NOT NULL DEFAULT 'new', ordered_at timestamptz NOT NULL DEFAULT now())");
            s.execute("CREATE TABLE " + SCHEMA + ".page_views (customer_id bigint, url text NOT NULL,"
                    + " viewed_at timestamptz NOT NULL DEFAULT now())");
            s.execute("INSERT INTO " + SCHEMA + ".customers (name, email) SELECT 'customer ' || i,"
                    + " 'customer' || i || '@example.com' FROM generate_series(1, 500) i");
            s.execute("INSERT INTO " + SCHEMA + ".products (name, price, description) SELECT 'product ' || i,"
                    + " round((random() * 100)::numeric, 2), " + TOAST_TEXT + " FROM generate_series(1, 40) i");
            s.execute("INSERT INTO " + SCHEMA + ".orders (customer_id, product_id, quantity)"
                    + " SELECT 1 + (random() * 499)::int, 1 + (random() * 39)::int, 1 + (random() * 4)::int"
                    + " FROM generate_series(1, 2000)");
            s.execute("INSERT INTO " + SCHEMA + ".page_views (customer_id, url)"
                    + " SELECT 1 + (random() * 499)::int, '/products/' || (1 + (random() * 39)::int)"
                    + " FROM generate_series(1, 1000)");
        }
    }
}
