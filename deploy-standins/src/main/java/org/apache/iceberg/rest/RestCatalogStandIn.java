package org.apache.iceberg.rest;

import java.util.Map;

/** Starts Iceberg's own REST catalog server with explicit properties (its map constructor is package-private). */
public final class RestCatalogStandIn {

    private final RESTCatalogServer server;

    public RestCatalogStandIn(Map<String, String> properties) {
        this.server = new RESTCatalogServer(properties);
    }

    public void start() throws Exception {
        server.start(false);
    }

    public void stop() throws Exception {
        server.stop();
    }
}
