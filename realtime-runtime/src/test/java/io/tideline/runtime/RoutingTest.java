package io.tideline.runtime;

import io.tideline.api.ChangeEvent;
import io.tideline.api.Sink;
import io.tideline.api.SinkWriter;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class RoutingTest {

    private static Sink fixedWriter(String name, int writer) {
        return new Sink() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Capability capability() {
                return Capability.RECORD_AT_A_TIME;
            }

            @Override
            public int writerFor(ChangeEvent event, int writers) {
                return writer;
            }

            @Override
            public SinkWriter openWriter(int index, int writers) {
                throw new UnsupportedOperationException();
            }
        };
    }

    @Test
    void aChangeGoesToTheOwningWriterOfEverySinkInThatSinksBlockOfQueues() {
        Routing routing = Routing.toWriters(new Sink[]{fixedWriter("a", 2), fixedWriter("b", 0)}, 3);
        int[] targets = new int[routing.fanOut()];
        assertEquals(2, routing.route(TestEvents.event(7, 1_000, 0, true), targets));
        assertArrayEquals(new int[]{2, 3}, java.util.Arrays.copyOf(targets, 2),
                "sink a's writer 2 is queue 0*3+2, sink b's writer 0 is queue 1*3+0");
    }

    @Test
    void aChangeEveryWriterTakesGoesToAllWritersOfThatSinkOnly() {
        Sink everyWriter = new Sink() {
            @Override
            public String name() {
                return "kafka";
            }

            @Override
            public Capability capability() {
                return Capability.RECORD_AT_A_TIME;
            }

            @Override
            public int writerFor(ChangeEvent event, int writers) {
                return 1;
            }

            @Override
            public boolean everyWriterTakes(ChangeEvent event) {
                return event.op() == io.tideline.api.Op.TRUNCATE;
            }

            @Override
            public SinkWriter openWriter(int index, int writers) {
                throw new UnsupportedOperationException();
            }
        };
        Routing routing = Routing.toWriters(new Sink[]{everyWriter, fixedWriter("lake", 2)}, 3);
        int[] targets = new int[routing.fanOut()];
        ChangeEvent row = TestEvents.event(7, 1_000, 0, true);
        ChangeEvent truncate = new ChangeEvent(row.table(), io.tideline.api.Op.TRUNCATE, null, null, null, null,
                row.position(), row.commitTimeMs(), true);
        assertEquals(2, routing.route(row, targets));
        assertArrayEquals(new int[]{1, 5}, java.util.Arrays.copyOf(targets, 2));
        assertEquals(4, routing.route(truncate, targets), "a truncate reaches every writer of the sink that asks for it");
        assertArrayEquals(new int[]{0, 1, 2, 5}, java.util.Arrays.copyOf(targets, 4));
    }

    @Test
    void aWriterOutsideTheSinksRangeIsRefusedWithTheSinksName() {
        Routing routing = Routing.toWriters(new Sink[]{fixedWriter("lake", 4)}, 4);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> routing.route(TestEvents.event(1, 1_000, 0, true), new int[1]));
        assertTrue(e.getMessage().contains("sink 'lake' chose writer 4 of 4"), e.getMessage());
    }

    @Test
    void byKeyKeepsEveryKeyOnOneWorkerInRange() {
        Routing routing = Routing.byKey(3);
        int[] targets = new int[1];
        for (int id = -50; id < 50; id++) {
            ChangeEvent e = TestEvents.event(id, 1_000, 0, true);
            assertEquals(1, routing.route(e, targets));
            int first = targets[0];
            assertTrue(first >= 0 && first < 3, "worker " + first);
            routing.route(TestEvents.event(id, 2_000, 5, false), targets);
            assertEquals(first, targets[0], "key " + id + " moved between workers");
        }
    }
}
