package io.tideline.testkit;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Where an external PostgreSQL lives, parsed from TIDELINE_TEST_PG_URL: either
 * {@code jdbc:postgresql://host:port/db?user=u&password=p} or {@code postgres[ql]://u:p@host:port/db}.
 * Other query parameters (e.g. sslmode) are kept for the JDBC URLs built from it.
 */
record PostgresUrl(String host, int port, String database, String user, String password, String extraQuery) {

    static final String ENV = "TIDELINE_TEST_PG_URL";

    static PostgresUrl parse(String url) {
        String trimmed = url.trim();
        String withoutJdbc = trimmed.startsWith("jdbc:") ? trimmed.substring("jdbc:".length()) : trimmed;
        URI uri;
        try {
            uri = new URI(withoutJdbc);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(invalid("it is not a URL (" + e.getReason() + ")"), e);
        }
        String scheme = uri.getScheme();
        if (scheme == null || !(scheme.equals("postgresql") || scheme.equals("postgres"))) {
            throw new IllegalArgumentException(invalid("the scheme must be jdbc:postgresql:// or postgres://"));
        }
        if (uri.getHost() == null) {
            throw new IllegalArgumentException(invalid("it names no host"));
        }
        String user = "postgres";
        String password = "";
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            user = decode(parts[0]);
            password = parts.length > 1 ? decode(parts[1]) : "";
        }
        List<String> extra = new ArrayList<>();
        if (uri.getRawQuery() != null) {
            for (String pair : uri.getRawQuery().split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                String[] kv = pair.split("=", 2);
                String value = kv.length > 1 ? decode(kv[1]) : "";
                switch (kv[0]) {
                    case "user" -> user = value;
                    case "password" -> password = value;
                    default -> extra.add(pair);
                }
            }
        }
        String path = uri.getPath();
        String database = path == null || path.length() <= 1 ? "postgres" : decode(path.substring(1));
        int port = uri.getPort() > 0 ? uri.getPort() : 5432;
        return new PostgresUrl(uri.getHost(), port, database, user, password, String.join("&", extra));
    }

    String jdbcUrl(String db) {
        return "jdbc:postgresql://" + host + ":" + port + "/" + db + (extraQuery.isEmpty() ? "" : "?" + extraQuery);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    // Never echo the URL: it may carry a password.
    private static String invalid(String why) {
        return "Cannot use " + ENV + ": " + why
                + ". Use jdbc:postgresql://HOST:PORT/DB?user=U&password=P or postgres://U:P@HOST:PORT/DB.";
    }

    @Override
    public String toString() {
        return "PostgresUrl[" + host + ":" + port + "/" + database + " user=" + user + "]";
    }
}
