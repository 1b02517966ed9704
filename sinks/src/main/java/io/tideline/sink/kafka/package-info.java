/**
 * The Kafka sink: PostgreSQL changes as Debezium-compatible Kafka records, exactly once without Kafka transactions.
 *
 * <h2>Records</h2>
 * One topic per table, {@code <topic.prefix>.<schema>.<table>} (characters Kafka does not allow become '_', as in
 * Debezium), created on first use with the configured partition count and replication factor min(3, brokers); an
 * existing topic keeps its partition count. Key and value are what Debezium's PostgreSQL connector and Kafka's
 * JsonConverter produce (schema names {@code <topic>.Key}, {@code <topic>.Value}, {@code <topic>.Envelope} version 2,
 * envelope fields before, after, source, transaction, op, ts_ms, ts_us, ts_ns), with {@code schemas.enable}
 * configurable; {@code DebeziumCompatibilityIT} proves it against Debezium's own engine. Differences that remain:
 * <ul>
 *   <li>ts_ms/ts_us/ts_ns of the envelope are Tideline's processing time, as Debezium's are its own;</li>
 *   <li>{@code transaction} is always null (Debezium's default, {@code provide.transaction.metadata=false});</li>
 *   <li>a table without primary key has a null key, as in Debezium; its partition is the hash of the whole row.</li>
 * </ul>
 * A delete is followed by a tombstone (same key, null value, same headers) unless tombstones are disabled.
 *
 * <h2>TOASTed columns</h2>
 * When an UPDATE leaves a TOASTed column unchanged and the table's replica identity does not carry it, PostgreSQL
 * never sends the value. The source marks it {@link io.tideline.api.Unchanged}; this sink then sends exactly what
 * Debezium sends: its placeholder {@code __debezium_unavailable_value} (as text, as UTF-8 bytes for bytea, as a
 * one-element list for text/bytea arrays, Debezium's byte-list for int/bigint arrays). Consumers must treat it as
 * "unchanged", as they do with Debezium. Tables with {@code REPLICA IDENTITY FULL} always get the real value.
 *
 * <h2>Headers</h2>
 * Every record carries {@code tideline.position} ({@code <commitLsn>/<index>}, UTF-8 decimal) and
 * {@code tideline.epoch} (the epoch id, UTF-8 decimal).
 *
 * <h2>Exactly once</h2>
 * Each (topic, partition) is owned by one writer ({@link io.tideline.sink.kafka.KafkaSink#writerFor}), written in
 * position order by an idempotent producer, so a partition always holds a gap-free prefix of its changes. When a
 * writer first touches a partition it reads the partition's last record and skips every change at or below its
 * position: a replay after a crash or a failed epoch writes nothing twice. This assumes <b>Tideline is the only
 * producer of its topics</b>; a last record without {@code tideline.position} is detected and refused with an error.
 *
 * <h2>Latency</h2>
 * Producer defaults {@code linger.ms=20}, {@code acks=all}, {@code enable.idempotence=true},
 * {@code max.in.flight.requests.per.connection=1}, {@code compression.type=lz4}, {@code batch.size=1048576} and
 * {@code buffer.memory=67108864}, all overridable. The linger only holds changes back while more keep coming (a
 * snapshot, a bulk load), so batches are large: each writer flushes its producer, on a thread of its own, as soon as
 * its input runs dry, so a lone streamed change leaves at once. Source commit
 * time → Kafka ack is a Micrometer timer {@code tideline.kafka.commit.to.ack} per table (tag {@code table}), and a
 * p50/p99/max line per table is logged every minute.
 */
package io.tideline.sink.kafka;
