package io.tideline.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tideline.api.TableId;
import io.tideline.sink.iceberg.IcebergSink;
import io.tideline.sink.kafka.KafkaSink;
import org.junit.jupiter.api.Test;

class NameClaimsTest {

    @Test
    void aSecondTableClaimingANameIsRefusedNamingBothTables() {
        NameClaims claims = new NameClaims("Kafka topic");
        TableId spaced = new TableId("public", "order lines");
        TableId underscored = new TableId("public", "order_lines");
        assertEquals("p.public.order_lines", claims.claim(KafkaSink.topicName("p", spaced), spaced));
        assertEquals("p.public.order_lines", claims.claim("p.public.order_lines", spaced), "the owner may claim again");
        NameClaims.SinkNameClashException e = assertThrows(NameClaims.SinkNameClashException.class,
                () -> claims.claim(KafkaSink.topicName("p", underscored), underscored));
        assertTrue(e.getMessage().contains("public.order_lines") && e.getMessage().contains("public.order lines")
                && e.getMessage().contains("Kafka topic 'p.public.order_lines'"), e.getMessage());
    }

    @Test
    void icebergNamesOfDifferentSchemasCanClashToo() {
        TableId a = new TableId("a_b", "c");
        TableId b = new TableId("a", "b_c");
        assertEquals(IcebergSink.defaultTableName(a), IcebergSink.defaultTableName(b));
        NameClaims claims = new NameClaims("Iceberg table");
        claims.claim(IcebergSink.defaultTableName(a), a);
        assertThrows(NameClaims.SinkNameClashException.class, () -> claims.claim(IcebergSink.defaultTableName(b), b));
    }
}
