package io.tideline.bench.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PgOutputDecoderTest {
    private final List<String[]> inserts = new ArrayList<>();
    private final List<Long> commits = new ArrayList<>();
    private final PgOutputDecoder.Handler handler = new PgOutputDecoder.Handler() {
        @Override
        public void insert(String[] columns, String[] values) {
            inserts.add(columns);
            inserts.add(values);
        }

        @Override
        public void commit(long endLsn) {
            commits.add(endLsn);
        }
    };

    @Test
    void decodesAnInsertInTextFormatWithTheColumnNamesOfItsRelation() throws IOException {
        PgOutputDecoder decoder = new PgOutputDecoder();
        decoder.decode(message(out -> {
            out.writeByte('B');
            out.writeLong(0x1000);
            out.writeLong(1);
            out.writeInt(7);
        }), handler);
        decoder.decode(relation(16384, "id", "sched_us", "payload"), handler);
        decoder.decode(message(out -> {
            out.writeByte('I');
            out.writeInt(16384);
            out.writeByte('N');
            out.writeShort(3);
            text(out, "42");
            text(out, "1795465975764018");
            out.writeByte('n');
        }), handler);
        decoder.decode(message(out -> {
            out.writeByte('C');
            out.writeByte(0);
            out.writeLong(0x1000);
            out.writeLong(0x1234);
            out.writeLong(1);
        }), handler);

        assertArrayEquals(new String[] {"id", "sched_us", "payload"}, inserts.get(0));
        assertArrayEquals(new String[] {"42", "1795465975764018", null}, inserts.get(1));
        assertEquals(List.of(0x1234L), commits);
    }

    @Test
    void refusesAnInsertOfAnUndescribedRelation() {
        PgOutputDecoder decoder = new PgOutputDecoder();
        ByteBuffer insert = message(out -> {
            out.writeByte('I');
            out.writeInt(1);
            out.writeByte('N');
            out.writeShort(0);
        });
        assertThrows(IllegalStateException.class, () -> decoder.decode(insert, handler));
    }

    private static ByteBuffer relation(int id, String... columns) {
        return message(out -> {
            out.writeByte('R');
            out.writeInt(id);
            cstring(out, "public");
            cstring(out, "bench");
            out.writeByte('d');
            out.writeShort(columns.length);
            for (String c : columns) {
                out.writeByte(1);
                cstring(out, c);
                out.writeInt(20);
                out.writeInt(-1);
            }
        });
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    /** A message at a non-zero offset of a larger array, as PgJDBC hands them out. */
    private static ByteBuffer message(Writer w) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.write(new byte[] {9, 9, 9});
            w.write(out);
            byte[] all = bytes.toByteArray();
            return ByteBuffer.wrap(all, 3, all.length - 3);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void cstring(DataOutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.writeByte(0);
    }

    private static void text(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeByte('t');
        out.writeInt(b.length);
        out.write(b);
    }
}
