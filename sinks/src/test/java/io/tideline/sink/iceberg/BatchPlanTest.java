package io.tideline.sink.iceberg;

import io.tideline.api.ChangeEvent;
import io.tideline.api.Op;
import io.tideline.api.Position;
import io.tideline.api.TableId;
import io.tideline.api.Unchanged;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.tideline.sink.iceberg.SourceTable.int32;
import static io.tideline.sink.iceberg.SourceTable.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BatchPlanTest {

    private final SourceTable t = new SourceTable(new TableId("public", "t"),
            List.of(int32("id", false), text("name"), text("body")), List.of("id"));

    private static Position p(long lsn, long i) {
        return new Position(lsn, i);
    }

    @Test
    void keepLastPerKeyKeepsOnlyTheLastChangeOfEachKeyInPositionOrder() {
        List<ChangeEvent> out = BatchPlan.keepLastPerKey(List.of(
                t.insert(p(10, 0), 1, "a", "x"),
                t.insert(p(10, 1), 2, "b", "y"),
                t.update(p(11, 0), 1, "a2", "x"),
                t.delete(p(12, 0), 2)));
        assertEquals(2, out.size());
        assertEquals(p(11, 0), out.get(0).position());
        assertEquals("a2", out.get(0).after().get("name"));
        assertEquals(Op.DELETE, out.get(1).op());
    }

    @Test
    void keepLastFillsUnchangedToastFromTheEarlierImageOfTheKey() {
        List<ChangeEvent> out = BatchPlan.keepLastPerKey(List.of(
                t.insert(p(10, 0), 1, "a", "big body"),
                t.update(p(11, 0), 1, "b", Unchanged.VALUE)));
        assertEquals("big body", out.get(0).after().get("body"));
        assertEquals("b", out.get(0).after().get("name"));
    }

    @Test
    void unchangedStaysUnresolvedWhenTheBatchDoesNotKnowTheValue() {
        List<ChangeEvent> out = BatchPlan.keepLastPerKey(List.of(t.update(p(11, 0), 1, "b", Unchanged.VALUE)));
        assertTrue(BatchPlan.hasUnchanged(out.get(0).after()));
    }

    @Test
    void fullReplicaIdentityBeforeImageFillsUnchanged() {
        ChangeEvent e = t.change(Op.UPDATE, p(11, 0), t.row(1, "a", "old body"), t.row(1, "b", Unchanged.VALUE));
        assertEquals("old body", BatchPlan.keepLastPerKey(List.of(e)).get(0).after().get("body"));
    }

    @Test
    void appendKeepsEveryChangeAndFillsUnchangedFromTheLatestEarlierChange() {
        List<ChangeEvent> out = BatchPlan.fillWithinBatch(List.of(
                t.insert(p(10, 0), 1, "a", "v1"),
                t.update(p(11, 0), 1, "b", Unchanged.VALUE),
                t.update(p(12, 0), 1, "c", Unchanged.VALUE)));
        assertEquals(3, out.size());
        assertEquals("v1", out.get(1).after().get("body"));
        assertEquals("v1", out.get(2).after().get("body"));
    }

    @Test
    void changesWithoutKeyAreAllKept() {
        SourceTable keyless = new SourceTable(new TableId("public", "log"), List.of(text("line")), List.of());
        List<ChangeEvent> out = BatchPlan.keepLastPerKey(List.of(
                keyless.insert(p(1, 0), "same"), keyless.insert(p(1, 1), "same")));
        assertEquals(2, out.size());
    }

    @Test
    void fenceSkipsEverythingAtOrBelowTheCommittedPosition() {
        CommittedPosition fence = new CommittedPosition(p(11, 0), 3);
        List<ChangeEvent> out = BatchPlan.afterFence(List.of(
                t.insert(p(10, 5), 1, "a", "x"),
                t.insert(p(11, 0), 2, "b", "x"),
                t.insert(p(11, 1), 3, "c", "x"),
                t.insert(p(12, 0), 4, "d", "x")), fence);
        assertEquals(List.of(p(11, 1), p(12, 0)), out.stream().map(ChangeEvent::position).toList());
    }

    @Test
    void emptyFenceHoldsNothing() {
        assertFalse(CommittedPosition.NONE.holds(p(0, 0)));
        assertTrue(new CommittedPosition(p(5, 2), 1).holds(p(5, 2)));
        assertFalse(new CommittedPosition(p(5, 2), 1).holds(p(5, 3)));
    }

    @Test
    void changesAfterTheLastTruncateAreAllThatCounts() {
        ChangeEvent truncate = new ChangeEvent(t.id, Op.TRUNCATE, null, null, null, null, p(11, 0), 0, true);
        List<ChangeEvent> out = BatchPlan.afterLastTruncate(List.of(
                t.insert(p(10, 0), 1, "a", "x"), truncate, t.insert(p(12, 0), 2, "b", "y")));
        assertEquals(1, out.size());
        assertEquals(p(12, 0), BatchPlan.highest(List.of(t.insert(p(10, 0), 1, "a", "x"), truncate, out.get(0))));
        assertNull(BatchPlan.highest(List.of()));
    }
}
