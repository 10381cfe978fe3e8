package dev.mapgate.hostile;

import dev.mapgate.testing.HttpOrigin;
import dev.mapgate.testing.LenientOrigin;
import dev.mapgate.testing.NginxOrigin;
import dev.mapgate.testing.PythonOrigin;
import dev.mapgate.testing.RequiredTools;
import dev.mapgate.testing.TestSite;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** The origins the hostile suites put behind mapgate: each resolves paths its own way. */
enum OriginKind {

    /** Decodes, merges slashes, resolves dot segments; what many asset hosts run. */
    NGINX(405) {
        @Override
        HttpOrigin start(Path site, Path workDir) {
            return NginxOrigin.start(RequiredTools.nginx(), site, workDir.resolve("nginx"), TestSite.INDEX);
        }
    },
    /** Decodes first, then normalises. */
    PYTHON(501) {
        @Override
        HttpOrigin start(Path site, Path workDir) {
            return PythonOrigin.start(RequiredTools.python3(), site, workDir.resolve("python"), TestSite.INDEX);
        }
    },
    /** Every lenient resolution at once; records what reached it. */
    LENIENT(null) {
        @Override
        HttpOrigin start(Path site, Path workDir) {
            return LenientOrigin.start(site);
        }
    };

    private final Integer earlyAnswerToPost;

    OriginKind(Integer earlyAnswerToPost) {
        this.earlyAnswerToPost = earlyAnswerToPost;
    }

    /**
     * The status this origin answers a POST to a static file with as soon as it has the head,
     * without reading the body; {@code null} for one that reads the whole body first.
     */
    Integer earlyAnswerToPost() {
        return earlyAnswerToPost;
    }

    /**
     * Starts this origin serving {@code site}; skips the calling test (or fails it, when origins
     * are required) if the server is not installed.
     */
    abstract HttpOrigin start(Path site, Path workDir);

    /** Every case against every origin, as (origin, case) arguments for a parameterised test. */
    static Stream<Arguments> eachWith(List<?> cases) {
        return Stream.of(values()).flatMap(kind -> cases.stream().map(c -> Arguments.of(kind, c)));
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
