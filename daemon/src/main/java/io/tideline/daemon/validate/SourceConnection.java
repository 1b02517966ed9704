package io.tideline.daemon.validate;

import static io.tideline.config.TidelineConfigDef.SOURCE_DBNAME;
import static io.tideline.config.TidelineConfigDef.SOURCE_HOSTNAME;
import static io.tideline.config.TidelineConfigDef.SOURCE_PASSWORD;
import static io.tideline.config.TidelineConfigDef.SOURCE_PORT;
import static io.tideline.config.TidelineConfigDef.SOURCE_USER;

import io.tideline.config.TidelineConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/** A plain JDBC connection to the configured source database, for the commands that look at it (validate, status, drop-slot). */
public final class SourceConnection {

    private SourceConnection() {
    }

    /** Connects within {@code timeoutSeconds}; every query is bounded to 30 s. */
    public static Connection open(TidelineConfig cfg, String applicationName, int timeoutSeconds) throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", cfg.getString(SOURCE_USER));
        String password = cfg.getPassword(SOURCE_PASSWORD).value();
        if (password != null && !password.isEmpty()) p.setProperty("password", password);
        p.setProperty("connectTimeout", Integer.toString(timeoutSeconds));
        p.setProperty("loginTimeout", Integer.toString(timeoutSeconds));
        p.setProperty("socketTimeout", "30");
        p.setProperty("ApplicationName", applicationName);
        return DriverManager.getConnection("jdbc:postgresql://" + hostForUrl(cfg.getString(SOURCE_HOSTNAME)) + ":"
                + cfg.getInt(SOURCE_PORT) + "/" + cfg.getString(SOURCE_DBNAME), p);
    }

    /** {@code host:port/database}, for messages. */
    public static String where(TidelineConfig cfg) {
        return cfg.getString(SOURCE_HOSTNAME) + ":" + cfg.getInt(SOURCE_PORT) + "/" + cfg.getString(SOURCE_DBNAME);
    }

    private static String hostForUrl(String host) {
        return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
    }
}
