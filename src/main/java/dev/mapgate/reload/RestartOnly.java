package dev.mapgate.reload;

import dev.mapgate.config.Settings;
import dev.mapgate.config.StartupSettings;
import java.util.List;

/**
 * The settings a reload cannot apply are those of {@link StartupSettings}: rather than
 * half-apply such a change, a reload keeps the running startup part, puts the loaded reloadable
 * part in force ({@link dev.mapgate.config.LiveSettings#replace}), and says a restart is needed.
 */
public final class RestartOnly {

    private RestartOnly() {
    }

    /** Key paths whose value in {@code loaded} differs from {@code running} and needs a restart. */
    public static List<String> changedKeys(Settings running, Settings loaded) {
        return running.startup().changedKeys(loaded.startup());
    }
}
