package io.tideline.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tideline.api.Position;
import org.junit.jupiter.api.Test;

class AckMarkersTest {

    @Test
    void transactionsBetweenCutsKeepAtMostTwoMarkersNotOnePerTransaction() {
        AckMarkers<String> markers = new AckMarkers<>();
        for (long lsn = 1; lsn <= 100_000; lsn++) markers.add(new Position(lsn, 0), "end@" + lsn);
        assertEquals(2, markers.size(), "an epoch in progress holds its last two markers");
        markers.cut(new Position(100_000, 0));
        for (long lsn = 100_001; lsn <= 200_000; lsn++) markers.add(new Position(lsn, 0), "end@" + lsn);
        assertEquals(4, markers.size(), "two per cut epoch, plus the open one's two");
    }

    @Test
    void aTimerCutBetweenTransactionsStillFindsTheMarkerItEndsAt() {
        // markers are added just before a transaction's last change is handed on; the runtime's timer may cut at the
        // previous transaction's end in between, and the acknowledgement of that epoch must find its marker
        AckMarkers<String> markers = new AckMarkers<>();
        markers.add(new Position(10, 0), "end@10");   // tx 10, then its change handed on
        markers.add(new Position(20, 0), "end@20");   // tx 20's marker, its change not handed on yet
        markers.cut(new Position(10, 0));              // the timer cuts at the last change handed on
        markers.add(new Position(30, 0), "end@30");
        AckMarkers.Marker<String> m = markers.takeUpTo(new Position(10, 0));
        assertEquals(new Position(10, 0), m.position());
        assertEquals("end@10", m.record());
    }

    @Test
    void anAcknowledgedEpochEndCommitsExactlyTheRecordAtThatEnd() {
        AckMarkers<String> markers = new AckMarkers<>();
        markers.add(new Position(10, 2), "end@10");
        markers.add(new Position(20, 0), "end@20");
        markers.cut(new Position(20, 0));
        markers.add(new Position(30, 1), "end@30");
        markers.add(new Position(40, 0), "end@40");
        AckMarkers.Marker<String> m = markers.takeUpTo(new Position(20, 0));
        assertEquals(new Position(20, 0), m.position());
        assertEquals("end@20", m.record());
        assertNull(markers.takeUpTo(new Position(20, 0)), "nothing left at or before an acknowledged end");
    }

    @Test
    void aCutThatComesBeforeItsMarkerIsRecordedStillKeepsIt() {
        // the runtime's timer may cut right after the source handed the transaction's last change on, before the
        // source recorded that transaction's marker
        AckMarkers<String> markers = new AckMarkers<>();
        markers.add(new Position(10, 0), "end@10");
        markers.cut(new Position(20, 0));
        markers.add(new Position(20, 0), "end@20");
        markers.add(new Position(30, 0), "end@30");
        assertEquals("end@20", markers.takeUpTo(new Position(20, 0)).record());
    }

    @Test
    void aHeldBackAcknowledgementBetweenCutsTakesTheLastMarkerKeptBeforeIt() {
        AckMarkers<String> markers = new AckMarkers<>();
        markers.add(new Position(10, 0), "end@10");
        markers.cut(new Position(10, 0));
        markers.add(new Position(20, 0), "end@20");
        markers.add(new Position(30, 0), "end@30");
        markers.cut(new Position(30, 0));
        AckMarkers.Marker<String> m = markers.takeUpTo(new Position(25, 0));
        assertEquals(new Position(20, 0), m.position(), "the last marker kept at or before it: never more");
        assertEquals("end@20", m.record());
        assertEquals("end@30", markers.takeUpTo(new Position(30, 0)).record());
    }

    @Test
    void aReplayedChunkWithoutARecordKeepsTheRecordBeforeIt() {
        AckMarkers<String> markers = new AckMarkers<>();
        markers.add(new Position(10, 0), "end@10");
        markers.add(new Position(20, 5), null);
        markers.cut(new Position(20, 5));
        AckMarkers.Marker<String> m = markers.takeUpTo(new Position(20, 5));
        assertEquals(new Position(20, 5), m.position());
        assertEquals("end@10", m.record(), "the latest Debezium record at or before the position");
    }
}
