package io.tideline.source;

import io.tideline.api.Position;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The last acknowledged position, as {@code <commitLsn>/<index>} text. It lets a new run drop what Debezium
 * replays at or before that position; Debezium's own offset file stays the source of truth for where to resume.
 */
final class AckFile {

    private final Path file;

    AckFile(Path file) {
        this.file = file.toAbsolutePath();
    }

    Position read() throws IOException {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8).trim();
            return text.isEmpty() ? null : Position.parse(text);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IllegalArgumentException e) {
            throw new IOException("Cannot read the last acknowledged position from " + file + ": " + e.getMessage()
                    + " Remove the file; Debezium's offset file still says where to resume.", e);
        }
    }

    void write(Position p) throws IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, p + "\n", StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        TidelineOffsetBackingStore.fsyncDirectory(file.getParent());
    }
}
