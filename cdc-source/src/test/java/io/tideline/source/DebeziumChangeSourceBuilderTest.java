package io.tideline.source;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DebeziumChangeSourceBuilderTest {

    private DebeziumSourceBuilder base() {
        return DebeziumChangeSource.builder().hostname("127.0.0.1").port(5433).user("u").password("secret")
                .database("db").stateDir(Path.of("/tmp/tideline-state"));
    }

    @Test
    void defaultsAreLatencyTunedAndLetTidelineOwnOffsets() {
        Map<String, String> p = base().build().effectiveProperties();
        assertEquals("pgoutput", p.get("plugin.name"));
        assertEquals("filtered", p.get("publication.autocreate.mode"));
        assertEquals("1", p.get("poll.interval.ms"));
        assertEquals("true", p.get("provide.transaction.metadata"));
        assertEquals(TidelineOffsetBackingStore.class.getName(), p.get("offset.storage"));
        assertEquals(Path.of("/tmp/tideline-state/source-offsets.dat").toString(), p.get("offset.storage.file.filename"));
        assertEquals("tideline", p.get("slot.name"));
        assertEquals("tideline", p.get("publication.name"));
        assertEquals("tideline", p.get("topic.prefix"));
        assertEquals("no_data", p.get("snapshot.mode"), "Debezium only streams: Tideline takes snapshots in chunks");
        assertEquals("tideline", p.get("message.prefix.include.list"), "only Tideline's watermarks come through");
        assertEquals(".*", p.get("column.propagate.source.type"));
    }

    @Test
    void aDebeziumSnapshotModeOverrideIsRefusedWithTheKeyNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> base().debeziumProperties(java.util.Map.of("snapshot.mode", "initial")).build());
        assertTrue(e.getMessage().contains("snapshot.mode=initial"), e.getMessage());
        assertTrue(e.getMessage().contains("tideline.source.snapshot.mode"), e.getMessage());
    }

    @Test
    void passwordNeverAppearsInTheEffectiveProperties() {
        assertFalse(base().build().effectiveProperties().containsValue("secret"));
    }

    @Test
    void userOverridesWinOverDefaults() {
        Map<String, String> p = base().debeziumProperties(Map.of("poll.interval.ms", "50", "max.batch.size", "10"))
                .build().effectiveProperties();
        assertEquals("50", p.get("poll.interval.ms"));
        assertEquals("10", p.get("max.batch.size"));
    }

    @Test
    void tableNamesAreEscapedForDebeziumsRegularExpressions() {
        Map<String, String> p = base().tableIncludeList(List.of("public.orders", "Sales.\"Odd\"$Name"))
                .build().effectiveProperties();
        assertEquals("public\\.orders,Sales\\.\"Odd\"\\$Name", p.get("table.include.list"));
    }

    @Test
    void turningOffTransactionMetadataIsRefusedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> base().debeziumProperties(Map.of("provide.transaction.metadata", "false")).build());
        assertTrue(e.getMessage().contains("provide.transaction.metadata"), e.getMessage());
    }

    @Test
    void missingRequiredSettingsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DebeziumChangeSource.builder().hostname("h").user("u").database("d").build());
        assertTrue(e.getMessage().contains("stateDir"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> base().snapshotMode("always").build());
        assertTrue(e.getMessage().contains("always"), e.getMessage());
    }
}
