package dev.mapgate.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * Marks a test class or method too slow for the default {@code mvn verify}, which developers run
 * often and which should take well under two minutes. Heavy is what is big (GiB and hundreds of
 * MiB through mapgate, a thousand connections at once, the 100,000-case fuzz), what starts a JVM,
 * nginx, Python or curl per test and waits on it, what has to sleep through timeouts, drain
 * delays or file-watch intervals (measured: several seconds on the 2-core build machine), and what
 * holds mapgate's timing to tight bounds (a wrong password for an unknown user against a known
 * one, a 502 within its connect timeout), which the default build's two test JVMs side by side
 * can spoil. The default build leaves these out; the {@code heavy} profile runs them and nothing
 * else, in one JVM ({@code mvn -Pheavy test}), and {@code .ci/run} runs it after the default
 * build, so CI runs every test once. Same paranoid leak detector and {@link LeakCheckExtension}
 * in both.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(Heavy.TAG)
public @interface Heavy {

    /** The JUnit tag: the default surefire run excludes it, the heavy profile selects it. */
    String TAG = "heavy";
}
