package dev.mapgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Python's {@code http.server} serving a directory. It percent-decodes the path first and then
 * normalises it ({@code posixpath.normpath}), a different order from nginx, so together they
 * cover two ways an origin can resolve the same target.
 */
public final class PythonOrigin implements HttpOrigin {

    private final OriginProcess process;

    private PythonOrigin(OriginProcess process) {
        this.process = process;
    }

    /**
     * @param probePath a file under {@code site} that the server serves once it is up
     */
    public static PythonOrigin start(Path python3, Path site, Path workDir, String probePath) {
        try {
            Files.createDirectories(workDir);
            byte[] probe = Files.readAllBytes(site.resolve(probePath.substring(1)));
            return new PythonOrigin(OriginProcess.start("python http.server",
                    port -> List.of(python3.toString(), "-m", "http.server", "--bind", "127.0.0.1",
                            String.valueOf(port), "--directory", site.toString()),
                    workDir.resolve("python.out"), probePath, probe));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String url() {
        return "http://127.0.0.1:" + process.port();
    }

    @Override
    public String name() {
        return "python";
    }

    @Override
    public void close() {
        process.close();
    }

    @Override
    public String toString() {
        return process.toString();
    }
}
