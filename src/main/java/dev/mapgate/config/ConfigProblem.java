package dev.mapgate.config;

/** A config that cannot run. The message is one line naming the key path and what is wrong. */
public final class ConfigProblem extends RuntimeException {
    public ConfigProblem(String message) {
        super(message, null, false, false);
    }
}
