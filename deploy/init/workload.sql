-- One round of the compose stack's sample workload (the workload service runs it in a loop): a new order, a status
-- change, a cancelled order, now and then a new customer.
INSERT INTO orders (customer_id, amount) SELECT id, round((random() * 500)::numeric, 2) FROM customers ORDER BY random() LIMIT 1;
UPDATE orders SET status = CASE status WHEN 'new' THEN 'paid' WHEN 'paid' THEN 'shipped' ELSE 'delivered' END
 WHERE id = (SELECT id FROM orders WHERE status <> 'delivered' ORDER BY random() LIMIT 1);
DELETE FROM orders WHERE id = (SELECT min(id) FROM orders) AND random() < 0.3;
INSERT INTO customers (name, email) SELECT 'new customer', md5(random()::text) || '@example.com' WHERE random() < 0.1;
