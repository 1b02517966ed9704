package io.tideline.daemon.validate;

import static io.tideline.config.TidelineConfigDef.ICEBERG_CATALOG_PREFIX;
import static io.tideline.config.TidelineConfigDef.ICEBERG_NAMESPACE;

import io.tideline.config.TidelineConfig;
import java.io.Closeable;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;

/** Checks that the Iceberg catalog can be built from its properties and answers a namespace listing. */
final class IcebergCheck {
    static final String CATALOG_NAME = "tideline";

    private final TidelineConfig cfg;

    IcebergCheck(TidelineConfig cfg) {
        this.cfg = cfg;
    }

    Check run() {
        Map<String, String> props = cfg.withPrefix(ICEBERG_CATALOG_PREFIX);
        String what = describe(props);
        Catalog catalog = null;
        try {
            catalog = CatalogUtil.buildIcebergCatalog(CATALOG_NAME, props, new Configuration());
            if (!(catalog instanceof SupportsNamespaces namespaces)) {
                return Check.ok("Iceberg catalog built (" + what + "); it does not list namespaces");
            }
            String ns = cfg.getString(ICEBERG_NAMESPACE);
            List<Namespace> all;
            try {
                all = namespaces.listNamespaces();
            } catch (NoSuchNamespaceException e) {
                // A Hadoop warehouse directory that does not exist yet: the sink creates it on first commit.
                return Check.ok("Iceberg catalog reachable (" + what + ", empty warehouse); namespace '" + ns
                        + "' will be created");
            }
            boolean exists = namespaces.namespaceExists(Namespace.of(ns.split("\\.")));
            return Check.ok("Iceberg catalog reachable (" + what + ", " + all.size() + " top-level namespaces); "
                    + "namespace '" + ns + "' " + (exists ? "exists" : "will be created"));
        } catch (RuntimeException | LinkageError e) {
            return Check.fail("Cannot reach the Iceberg catalog (" + what + "): " + rootMessage(e) + ". Check the "
                    + ICEBERG_CATALOG_PREFIX + "* properties (type, warehouse, uri).");
        } finally {
            if (catalog instanceof Closeable closeable) {
                try {
                    closeable.close();
                } catch (Exception ignored) {
                    // validation is over either way
                }
            }
        }
    }

    /** Names the catalog without any credential: type, then where it lives. */
    private static String describe(Map<String, String> props) {
        StringBuilder sb = new StringBuilder("type=").append(props.getOrDefault("type",
                props.getOrDefault("catalog-impl", "?")));
        if (props.containsKey("uri")) {
            sb.append(", uri=").append(props.get("uri"));
        }
        if (props.containsKey("warehouse")) {
            sb.append(", warehouse=").append(props.get("warehouse"));
        }
        return sb.toString();
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage().strip();
        return m.endsWith(".") ? m.substring(0, m.length() - 1) : m;
    }
}
