package io.tideline.daemon;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine;

/** {@code tideline --version}: the project version, from a resource Maven filters at build time. */
public final class VersionProvider implements CommandLine.IVersionProvider {
    static String version() {
        Properties p = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // falls back to the manifest below
        }
        String v = p.getProperty("version");
        if (v == null || v.startsWith("${")) {
            v = VersionProvider.class.getPackage().getImplementationVersion();
        }
        return v == null ? "unknown" : v;
    }

    @Override
    public String[] getVersion() {
        return new String[] {"tideline " + version()};
    }
}
