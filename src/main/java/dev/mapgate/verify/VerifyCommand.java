package dev.mapgate.verify;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code mapgate verify URL}: fetch a deployed JS file and its map the way Sentry does. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = "Check that Sentry can fetch your source maps, and that nobody else can.")
public final class VerifyCommand implements Callable<Integer> {

    @Parameters(paramLabel = "URL", description = "URL of a deployed, minified JavaScript file.")
    private String url;

    @Override
    public Integer call() {
        System.err.println("mapgate: verify is not built yet");
        return 2;
    }
}
