package io.tideline.testkit;

/**
 * Entry point of the broker child JVM: {@code KafkaBrokerMain <parent-pid> <server.properties>}.
 *
 * <p>A watchdog halts this JVM as soon as the test JVM that started it is gone, so that a test JVM killed by a
 * timeout or kill -9 never leaves a broker behind on the machine.
 */
public final class KafkaBrokerMain {

    private KafkaBrokerMain() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("Usage: KafkaBrokerMain <parent-pid> <server.properties>");
            System.exit(2);
        }
        long parent = Long.parseLong(args[0]);
        Thread watchdog = new Thread(() -> watch(parent), "tideline-parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        kafka.Kafka.main(new String[] {args[1]});
    }

    private static void watch(long parent) {
        while (true) {
            if (!Processes.isRunning(parent)) {
                System.err.println("tideline testkit: parent JVM " + parent + " is gone, halting the broker");
                Runtime.getRuntime().halt(3);
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
        }
    }
}
