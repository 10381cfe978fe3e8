package dev.mapgate.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntFunction;

/**
 * Debian's nginx serving a directory, as a static asset origin is commonly run. nginx decodes the
 * path, merges slashes and resolves dot segments before it opens a file, so it is one of the
 * resolvers mapgate must agree with.
 *
 * <p>Everything nginx writes goes to {@code workDir}: the generated config, pid, error log and
 * temp paths. {@code daemon off} keeps it our child, so closing the origin stops it; {@code
 * master_process off} makes one process that binds, serves and stays the same user, which works
 * as root (CI) and as anyone else.
 */
public final class NginxOrigin {

    private NginxOrigin() {
    }

    /**
     * @param nginx     the nginx binary
     * @param probePath a file under {@code site} that nginx serves once it is up
     */
    public static HttpOrigin start(Path nginx, Path site, Path workDir, String probePath) {
        return startWith(nginx, site, workDir, probePath, port -> config(workDir, site, port));
    }

    /**
     * nginx with a whole config of the caller's, e.g. one that is shipped, made runnable here.
     *
     * @param config the config text for a port; it should start with {@code daemon off;} and
     *               {@code master_process off;} and keep every path it writes under
     *               {@code workDir}, as the generated one does
     */
    public static HttpOrigin startWith(Path nginx, Path site, Path workDir, String probePath, IntFunction<String> config) {
        Path conf = workDir.resolve("nginx.conf");
        return OriginProcess.start("nginx", port -> {
            try {
                Files.writeString(conf, config.apply(port), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            // -e: the compiled-in error log may be a system path a non-root user cannot open.
            return List.of(nginx.toString(), "-p", workDir + "/", "-c", conf.toString(),
                    "-e", workDir.resolve("error.log").toString());
        }, workDir, site, probePath);
    }

    private static String config(Path workDir, Path site, int port) {
        return """
                daemon off;
                master_process off;
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log warn;
                events { worker_connections 256; }
                http {
                  access_log off;
                  client_body_temp_path %1$s/client_body;
                  proxy_temp_path %1$s/proxy;
                  fastcgi_temp_path %1$s/fastcgi;
                  uwsgi_temp_path %1$s/uwsgi;
                  scgi_temp_path %1$s/scgi;
                  types {
                    text/html html;
                    text/javascript js;
                    application/json map;
                  }
                  default_type application/octet-stream;
                  server {
                    listen 127.0.0.1:%2$d default_server;
                    server_name _;
                    root %3$s;
                    index index.html;
                  }
                }
                """.formatted(workDir, port, site);
    }
}
