package dev.mapgate.testing;

import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Python's {@code http.server} serving a directory. It percent-decodes the path first and then
 * normalises it ({@code posixpath.normpath}), a different order from nginx, so together they
 * cover two ways an origin can resolve the same target.
 */
public final class PythonOrigin {

    private PythonOrigin() {
    }

    /**
     * @param python3   the Python 3 interpreter
     * @param probePath a file under {@code site} that the server serves once it is up
     */
    public static HttpOrigin start(Path python3, Path site, Path workDir, String probePath) {
        return OriginProcess.start("python http.server", command(python3, site), workDir, site, probePath);
    }

    static IntFunction<List<String>> command(Path python3, Path site) {
        return port -> List.of(python3.toString(), "-m", "http.server", "--bind", "127.0.0.1",
                String.valueOf(port), "--directory", site.toString());
    }
}
