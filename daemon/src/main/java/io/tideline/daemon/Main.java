package io.tideline.daemon;

/** Entry point of {@code java -jar tideline.jar}. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(Cli.create(PipelineProvider.DEFAULT).execute(args));
    }
}
