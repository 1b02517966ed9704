package io.tideline.config;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ConfigDocsTest {

    @Test
    void documentsEveryDefinedKeyPrefixAndFamily() {
        String md = ConfigDocs.markdown();
        TidelineConfigDef.get().keys().keySet().forEach(k -> assertTrue(md.contains("`" + k + "`"), k));
        TidelineConfigDef.get().passThroughs().forEach(p -> assertTrue(md.contains("`" + p.prefix() + "*`"), p.prefix()));
        assertTrue(md.contains("tideline.transforms.<schema>.<table>."));
        assertTrue(md.contains("| `tideline.source.database.port` | port | `5432` | 1-65535 |"), md);
        assertTrue(md.contains("| `tideline.runtime.parallelism` | int | number of cores |"), md);
    }

    @Test
    void committedReadmeHoldsTheCurrentGeneratedTable() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        assertTrue(readme.contains(ConfigDocs.markdown()),
                "configs/README.md is stale: regenerate it with `bin/tideline config-docs`");
    }
}
