package io.tideline.daemon.validate;

import static io.tideline.config.TidelineConfigDef.KAFKA_BOOTSTRAP_SERVERS;
import static io.tideline.config.TidelineConfigDef.KAFKA_PRODUCER_PREFIX;

import io.tideline.config.TidelineConfig;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.DescribeClusterResult;

/** Checks that the Kafka cluster answers, with the producer's connection settings (TLS, SASL). */
final class KafkaCheck {
    private static final int TIMEOUT_MS = 10_000;

    private final TidelineConfig cfg;

    KafkaCheck(TidelineConfig cfg) {
        this.cfg = cfg;
    }

    Check run() {
        String servers = String.join(",", cfg.getList(KAFKA_BOOTSTRAP_SERVERS));
        Properties p = new Properties();
        // Only connection settings: producer-only keys (acks, linger.ms) would make the admin client warn.
        cfg.withPrefix(KAFKA_PRODUCER_PREFIX).forEach((k, v) -> {
            if (k.startsWith("security.") || k.startsWith("ssl.") || k.startsWith("sasl.")
                    || k.equals("client.dns.lookup")) {
                p.setProperty(k, v);
            }
        });
        p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
        p.setProperty(AdminClientConfig.CLIENT_ID_CONFIG, "tideline-validate");
        p.setProperty(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Integer.toString(TIMEOUT_MS));
        p.setProperty(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, Integer.toString(TIMEOUT_MS));
        Admin admin = null;
        try {
            admin = Admin.create(p);
            DescribeClusterResult cluster = admin.describeCluster(new DescribeClusterOptions().timeoutMs(TIMEOUT_MS));
            String id = cluster.clusterId().get(TIMEOUT_MS + 1_000L, TimeUnit.MILLISECONDS);
            int brokers = cluster.nodes().get(TIMEOUT_MS, TimeUnit.MILLISECONDS).size();
            return Check.ok("Kafka reachable at " + servers + " (cluster " + id + ", " + brokers + " broker"
                    + (brokers == 1 ? "" : "s") + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fail(servers, "interrupted");
        } catch (ExecutionException e) {
            return fail(servers, describe(e.getCause()));
        } catch (TimeoutException e) {
            return fail(servers, "no answer within " + TIMEOUT_MS / 1000 + " s");
        } catch (RuntimeException e) {
            return fail(servers, describe(e));
        } finally {
            if (admin != null) {
                admin.close(Duration.ofSeconds(2));
            }
        }
    }

    private static Check fail(String servers, String why) {
        return Check.fail("Cannot reach Kafka at " + servers + ": " + why + ". Check " + KAFKA_BOOTSTRAP_SERVERS
                + " (and the " + KAFKA_PRODUCER_PREFIX + "security/ssl/sasl settings), and that the brokers are up.");
    }

    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String m = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage().strip();
        return m.endsWith(".") ? m.substring(0, m.length() - 1) : m;
    }
}
