package dev.mapgate;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code mapgate hash-password}: a bcrypt hash for gate.basic.users or an htpasswd line. */
@Command(name = "hash-password", mixinStandardHelpOptions = true,
        description = "Read a password (without echo, or from standard input) and print its bcrypt hash.")
final class HashPasswordCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.err.println("mapgate: hash-password is not built yet");
        return 2;
    }
}
