package io.tideline.sink.iceberg;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/** The sink contract on a Hadoop catalog over a local warehouse directory. */
class HadoopCatalogIT extends IcebergSinkContract {

    private static Path warehouse;

    @BeforeAll
    static void warehouse() throws Exception {
        warehouse = Files.createTempDirectory("tideline-iceberg-hadoop");
    }

    @AfterAll
    static void removeWarehouse() throws Exception {
        try (Stream<Path> s = Files.walk(warehouse)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Override
    protected Map<String, String> catalogProperties() {
        return Map.of("type", "hadoop", "warehouse", warehouse.toUri().toString());
    }
}
