package io.tideline.idempotency;

import io.tideline.api.Position;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class EpochLedgerTest {

    @TempDir
    Path dir;

    @Test
    void emptyStateDirHasNoCommittedEpoch() throws IOException {
        try (EpochLedger ledger = EpochLedger.open(dir.resolve("state"))) {
            assertTrue(ledger.lastCommitted().isEmpty());
            assertTrue(Files.exists(dir.resolve("state").resolve(StateDirLock.FILE_NAME)));
        }
    }

    @Test
    void committedEpochSurvivesReopen() throws IOException {
        try (EpochLedger ledger = EpochLedger.open(dir)) {
            ledger.commit(1, new Position(100, 2));
            ledger.commit(2, new Position(200, 0));
        }
        try (EpochLedger ledger = EpochLedger.open(dir)) {
            EpochRecord last = ledger.lastCommitted().orElseThrow();
            assertEquals(2, last.epoch());
            assertEquals(new Position(200, 0), last.end());
            assertEquals(2, ledger.history().size());
            assertTrue(last.wallTimeMs() > 0);
        }
    }

    @Test
    void fileIsBoundedToRetainedEntries() throws IOException {
        try (EpochLedger ledger = EpochLedger.open(dir, 5)) {
            for (int i = 1; i <= 20; i++) ledger.commit(i, new Position(i * 10L, 0));
        }
        try (EpochLedger ledger = EpochLedger.open(dir, 5)) {
            assertEquals(5, ledger.history().size());
            assertEquals(16, ledger.history().get(0).epoch());
            assertEquals(20, ledger.lastCommitted().orElseThrow().epoch());
        }
    }

    @Test
    void epochAtOrBelowLastIsRefused() throws IOException {
        try (EpochLedger ledger = EpochLedger.open(dir)) {
            ledger.commit(5, new Position(100, 0));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> ledger.commit(5, new Position(200, 0)));
            assertTrue(e.getMessage().startsWith("Cannot commit epoch 5"), e.getMessage());
            assertThrows(IllegalStateException.class, () -> ledger.commit(4, new Position(200, 0)));
            assertEquals(5, ledger.lastCommitted().orElseThrow().epoch());
        }
    }

    @Test
    void positionBelowLastIsRefusedButEqualIsAllowed() throws IOException {
        try (EpochLedger ledger = EpochLedger.open(dir)) {
            ledger.commit(1, new Position(100, 3));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> ledger.commit(2, new Position(100, 2)));
            assertTrue(e.getMessage().contains("below the last committed position 100/3"), e.getMessage());
            ledger.commit(2, new Position(100, 3));
            assertEquals(2, ledger.lastCommitted().orElseThrow().epoch());
        }
    }

    @Test
    void strayTempFileFromCrashIsIgnored() throws IOException {
        try (EpochLedger ledger = EpochLedger.open(dir)) {
            ledger.commit(1, new Position(100, 0));
        }
        // a crash after writing half of the next version into the temp file
        Files.writeString(dir.resolve(EpochLedger.TEMP_NAME), EpochLedger.HEADER + "\n2 200/0 17", StandardCharsets.UTF_8);
        try (EpochLedger ledger = EpochLedger.open(dir)) {
            assertEquals(1, ledger.lastCommitted().orElseThrow().epoch());
            assertFalse(Files.exists(dir.resolve(EpochLedger.TEMP_NAME)));
            ledger.commit(2, new Position(200, 0));
        }
    }

    @Test
    void truncatedLedgerIsAnErrorNamingTheFile() throws IOException {
        try (EpochLedger ledger = EpochLedger.open(dir)) {
            ledger.commit(1, new Position(100, 0));
            ledger.commit(2, new Position(200, 0));
        }
        Path file = dir.resolve(EpochLedger.FILE_NAME);
        byte[] bytes = Files.readAllBytes(file);
        for (int cut : new int[]{bytes.length - 1, bytes.length - 10, EpochLedger.HEADER.length() + 4}) {
            Files.write(file, java.util.Arrays.copyOf(bytes, cut));
            IOException e = assertThrows(IOException.class, () -> EpochLedger.open(dir).close());
            assertTrue(e.getMessage().startsWith("Cannot read epoch ledger " + file.toAbsolutePath()), e.getMessage());
        }
    }

    @Test
    void unknownFormatIsAnErrorNamingTheFile() throws IOException {
        Files.writeString(dir.resolve(EpochLedger.FILE_NAME), "{\"epoch\": 3}\n");
        IOException e = assertThrows(IOException.class, () -> EpochLedger.open(dir).close());
        assertTrue(e.getMessage().contains(EpochLedger.FILE_NAME) && e.getMessage().contains("unknown format"), e.getMessage());
    }

    @Test
    void editedEntryFailsTheChecksum() throws IOException {
        try (EpochLedger ledger = EpochLedger.open(dir)) {
            ledger.commit(1, new Position(100, 0));
        }
        Path file = dir.resolve(EpochLedger.FILE_NAME);
        Files.writeString(file, Files.readString(file).replace("100/0", "900/0"));
        IOException e = assertThrows(IOException.class, () -> EpochLedger.open(dir).close());
        assertTrue(e.getMessage().contains("checksum"), e.getMessage());
    }

    @Test
    void secondOpenOfTheSameStateDirRefusesWithPid() throws IOException {
        try (EpochLedger first = EpochLedger.open(dir)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> EpochLedger.open(dir));
            assertTrue(e.getMessage().startsWith("Cannot start: state dir " + dir.toAbsolutePath()
                    + " is in use by another Tideline process (pid " + ProcessHandle.current().pid() + ")"), e.getMessage());
        }
        EpochLedger.open(dir).close(); // released on close
    }

    @Test
    void lockHeldByAnotherProcessRefuses() throws Exception {
        Path lockFile = dir.resolve(StateDirLock.FILE_NAME);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path src = dir.resolve("Hold.java");
        Files.writeString(src, "import java.nio.channels.*; import java.nio.file.*;\n"
                + "public class Hold { public static void main(String[] a) throws Exception {\n"
                + " FileChannel c = FileChannel.open(Path.of(a[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);\n"
                + " c.lock(); System.out.println(\"locked\"); System.out.flush(); Thread.sleep(30000); } }\n");
        Process p = new ProcessBuilder(java, src.toString(), lockFile.toString()).redirectErrorStream(true).start();
        try {
            // read on a future so the wait has a deadline: a child that never prints must fail, not hang
            CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> {
                try {
                    return new BufferedReader(new InputStreamReader(p.getInputStream())).readLine();
                } catch (IOException e) {
                    return "unreadable: " + e;
                }
            });
            assertEquals("locked", first.get(60, TimeUnit.SECONDS));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> EpochLedger.open(dir));
            assertTrue(e.getMessage().contains("is in use by another Tideline process"), e.getMessage());
        } finally {
            p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
