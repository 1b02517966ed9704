package io.tideline.sink.kafka;

import io.tideline.api.ChangeEvent;
import io.tideline.api.Op;
import io.tideline.api.Position;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PartitioningTest {

    @Test
    void keyedPartitionIsWhatKafkasDefaultPartitionerPicks() {
        EnvelopeSerializer s = new EnvelopeSerializer(true);
        for (int id = 0; id < 200; id++) {
            ChangeEvent e = EnvelopeSerializerTest.event(Op.CREATE, EnvelopeSerializerTest.key(id), null,
                    EnvelopeSerializerTest.value(id, "x"));
            byte[] key = s.key(e, EnvelopeSerializerTest.TOPIC);
            assertEquals(BuiltInPartitioner.partitionForKey(key, 6), Partitioning.partitionFor(key, 6));
        }
    }

    @Test
    void partitionOfAKeyIsStableAcrossVersionsOfThisCode() {
        // A golden value: if this changes, existing topics would be re-partitioned and the fence would break.
        byte[] key = "{\"id\":42}".getBytes(StandardCharsets.UTF_8);
        assertEquals(BuiltInPartitioner.partitionForKey(key, 12), Partitioning.partitionFor(key, 12));
        assertEquals(Partitioning.partitionFor(key, 12), Partitioning.partitionFor(key.clone(), 12));
        assertEquals(1, Partitioning.partitionFor(key, 12));
        assertEquals(0, Partitioning.writerFor("shop.public.orders", 3, 4));
    }

    @Test
    void everyPartitionHasExactlyOneWriterAndPartitionsSpreadOverWriters() {
        Map<String, Integer> owner = new HashMap<>();
        Set<Integer> used = new HashSet<>();
        for (int p = 0; p < 8; p++) {
            int w = Partitioning.writerFor("shop.public.orders", p, 4);
            assertTrue(w >= 0 && w < 4);
            owner.put("shop.public.orders/" + p, w);
            used.add(w);
            assertEquals(w, Partitioning.writerFor("shop.public.orders", p, 4), "same partition, same writer");
        }
        assertEquals(4, used.size(), "8 partitions of one topic reach all 4 writers: " + owner);
    }

    @Test
    void keylessRowsPartitionByTheirWholeRowImage() {
        EnvelopeSerializer s = new EnvelopeSerializer(true);
        Set<Integer> partitions = new HashSet<>();
        for (int id = 0; id < 50; id++) {
            ChangeEvent e = EnvelopeSerializerTest.event(Op.CREATE, null, null, EnvelopeSerializerTest.value(id, "x"));
            int p = Partitioning.partitionFor(s.rowImage(e, EnvelopeSerializerTest.TOPIC), 4);
            ChangeEvent replay = new ChangeEvent(e.table(), e.op(), null, null, e.after(), e.source(),
                    new Position(999, 0), 0, true);
            assertEquals(p, Partitioning.partitionFor(new EnvelopeSerializer(true).rowImage(replay, EnvelopeSerializerTest.TOPIC), 4));
            partitions.add(p);
        }
        assertTrue(partitions.size() > 1, "keyless rows spread over partitions");
    }
}
