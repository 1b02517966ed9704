package io.tideline.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/tideline demo} as a user runs it: a separate process, stopped with SIGINT once changes flowed into
 * both sinks and the schema changed. It must exit 0 within 30 s, leave no PostgreSQL or broker behind, and leave
 * data that {@code demo --show} reads back from Kafka and Iceberg.
 */
class DemoIT {

    private static final Pattern POSTGRES = Pattern.compile("embedded PostgreSQL \\S+@127\\.0\\.0\\.1:(\\d+)/");
    private static final Pattern KAFKA = Pattern.compile("Kafka on 127\\.0\\.0\\.1:(\\d+)");
    private static final Pattern ICEBERG = Pattern.compile("iceberg ([\\d,]+) changes in ([\\d,]+) commits");
    private static final Pattern WORKLOAD = Pattern.compile("workload ([\\d,]+) tx");
    private static final Pattern KAFKA_CHANGES = Pattern.compile("kafka ([\\d,]+) changes");
    /** Rows DemoSchema writes before the daemon starts: 500 customers, 40 products, 2,000 orders, 1,000 page views. */
    private static final long SEED_ROWS = 3540;

    @TempDir
    Path tmp;

    @Test
    void ctrlCStopsEverythingAndLeavesTheDataInKafkaAndIceberg() throws Exception {
        Path dir = tmp.resolve("demo");
        Path out = tmp.resolve("demo.out");
        Process demo = java(out, "--dir", dir.toString(), "--rate", "40", "--status-interval", "1");
        try {
            awaitOutput(demo, out, 150, text -> text.contains("customers.loyalty_tier added") && icebergCommits(text) >= 3);
            // Wait until Kafka acknowledged more changes than the seed rows plus every transaction up to the schema
            // change could make (a busy machine lags), then a few Iceberg commits: changes with the new column are durable.
            long txAtSchemaChange = lastNumber(WORKLOAD, Files.readString(out));
            long commitsAtSchemaChange = icebergCommits(Files.readString(out));
            awaitOutput(demo, out, 120, text -> lastNumber(KAFKA_CHANGES, text) >= SEED_ROWS + txAtSchemaChange * 13 / 10 + 100
                    && icebergCommits(text) >= commitsAtSchemaChange + 4);
            String text = Files.readString(out);
            int pgPort = port(POSTGRES, text);
            int kafkaPort = port(KAFKA, text);
            List<ProcessHandle> children = demo.descendants().toList();
            assertFalse(children.isEmpty(), "the broker runs as a child JVM");

            long asked = System.nanoTime();
            new ProcessBuilder("kill", "-INT", Long.toString(demo.pid())).inheritIO().start().waitFor(10, TimeUnit.SECONDS);
            assertTrue(demo.waitFor(30, TimeUnit.SECONDS), "the demo stops within 30 s of Ctrl-C:\n" + Files.readString(out));
            assertEquals(0, demo.exitValue(), Files.readString(out));
            System.out.printf("demo stopped %d ms after SIGINT%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked));

            for (ProcessHandle child : children) {
                assertTrue(child.onExit().get(10, TimeUnit.SECONDS) != null && !child.isAlive(), "child " + child.pid() + " is gone");
            }
            assertFalse(listening(pgPort), "PostgreSQL stopped (port " + pgPort + ")");
            assertFalse(listening(kafkaPort), "the broker stopped (port " + kafkaPort + ")");
            String finalOutput = Files.readString(out);
            assertTrue(finalOutput.contains("bin/tideline demo --show --dir " + dir.toAbsolutePath()), finalOutput);
        } finally {
            demo.descendants().forEach(ProcessHandle::destroyForcibly);
            demo.destroyForcibly();
        }

        Path shown = tmp.resolve("show.out");
        Process show = java(shown, "--show", "--dir", dir.toString(), "--limit", "1");
        assertTrue(show.waitFor(120, TimeUnit.SECONDS), "demo --show finishes");
        String report = Files.readString(shown);
        assertEquals(0, show.exitValue(), report);
        for (String table : DemoSchema.TABLES) {
            Matcher topic = Pattern.compile(Pattern.quote(DemoConfig.topic(table)) + "\\s+([\\d,]+) records \\{([^}]*)}")
                    .matcher(report);
            assertTrue(topic.find(), "topic of " + table + " in:\n" + report);
            assertTrue(topic.group(2).contains("r="), "snapshot reads of " + table + ": " + topic.group(2));
            Matcher rows = Pattern.compile(Pattern.quote("demo." + DemoConfig.icebergTable(table)) + "\\s+([\\d,]+) rows")
                    .matcher(report);
            assertTrue(rows.find(), "Iceberg table of " + table + " in:\n" + report);
            assertTrue(number(rows.group(1)) > 0, table + " has rows in Iceberg:\n" + report);
        }
        Matcher orders = Pattern.compile(Pattern.quote(DemoConfig.topic("orders")) + "\\s+[\\d,]+ records \\{([^}]*)}").matcher(report);
        assertTrue(orders.find());
        for (String op : List.of("c=", "u=", "d=")) {
            assertTrue(orders.group(1).contains(op), "the workload's " + op + " reached Kafka: " + orders.group(1));
        }
        assertTrue(report.contains("loyalty_tier"), "the added column reached the sinks:\n" + report);
    }

    interface OutputCheck {
        boolean holds(String text);
    }

    private static void awaitOutput(Process p, Path out, int seconds, OutputCheck check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            String text = Files.exists(out) ? Files.readString(out) : "";
            if (check.holds(text)) {
                return;
            }
            if (!p.isAlive()) {
                fail("the demo exited with " + p.exitValue() + ":\n" + text);
            }
            if (System.nanoTime() > deadline) {
                fail("the demo did not get there in " + seconds + " s:\n" + text);
            }
            Thread.sleep(500);
        }
    }

    private static long icebergCommits(String text) {
        Matcher m = ICEBERG.matcher(text);
        long commits = 0;
        while (m.find()) {
            commits = number(m.group(2));
        }
        return commits;
    }

    private static long lastNumber(Pattern p, String text) {
        Matcher m = p.matcher(text);
        long last = 0;
        while (m.find()) last = number(m.group(1));
        return last;
    }

    private static long number(String s) {
        return Long.parseLong(s.replace(",", ""));
    }

    private static int port(Pattern p, String text) {
        Matcher m = p.matcher(text);
        assertTrue(m.find(), p + " in:\n" + text);
        return Integer.parseInt(m.group(1));
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Process java(Path out, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java"), "-Xmx768m",
                "-cp", System.getProperty("java.class.path"), DemoMain.class.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    }
}
