-- The tables deploy/tideline.properties captures, with rows for the initial snapshot.
CREATE TABLE customers (id bigserial PRIMARY KEY, name text NOT NULL, email text NOT NULL,
                        created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id bigint NOT NULL REFERENCES customers(id),
                     amount numeric(10,2) NOT NULL, status text NOT NULL DEFAULT 'new',
                     ordered_at timestamptz NOT NULL DEFAULT now());
INSERT INTO customers (name, email) SELECT 'customer ' || i, 'customer' || i || '@example.com' FROM generate_series(1, 200) i;
INSERT INTO orders (customer_id, amount) SELECT 1 + (i % 200), round((random() * 500)::numeric, 2) FROM generate_series(1, 1000) i;
