package io.tideline.daemon;

/**
 * The real CLI with a pipeline that runs until stopped, started as a child process by {@link RunSignalIT}:
 * the production pipeline is not wired yet, and the signal path must be proved on a real process.
 */
public final class BlockingPipelineMain {
    private BlockingPipelineMain() {
    }

    public static void main(String[] args) {
        PipelineProvider provider = (cfg, registry) -> new DaemonTest.BlockingPipeline() {
            @Override
            public void run() throws InterruptedException {
                System.err.println("PIPELINE RUNNING");
                super.run();
                System.err.println("PIPELINE STOPPED");
            }
        };
        System.exit(Cli.create(provider).execute(args));
    }
}
