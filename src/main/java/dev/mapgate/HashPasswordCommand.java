package dev.mapgate;

import at.favre.lib.crypto.bcrypt.BCrypt;
import at.favre.lib.crypto.bcrypt.LongPasswordStrategies;
import dev.mapgate.gate.BasicUser;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code mapgate hash-password}: a bcrypt hash for {@code gate.basic.users}, or an htpasswd line.
 * The password is read without echo from a terminal, or as the first line of standard input
 * when that is a pipe; it is never printed and never logged.
 */
@Command(name = "hash-password", mixinStandardHelpOptions = true,
        description = {"Read a password (without echo, or from standard input) and print its bcrypt hash.",
                "The hash goes into gate.basic.users as password-hash; with --user the line goes into the "
                        + "file named by gate.basic.htpasswd-file."})
final class HashPasswordCommand implements Callable<Integer> {

    static final int DEFAULT_COST = 12;

    /**
     * $2y$, as {@code htpasswd -B} writes. No password is cut short: one longer than bcrypt uses
     * is refused, so the strict strategy never fires.
     */
    private static final BCrypt.Hasher HASHER =
            BCrypt.with(BCrypt.Version.VERSION_2Y, LongPasswordStrategies.strict(BCrypt.Version.VERSION_2Y));

    /** The bytes bcrypt reads; the gate's verifier reads no more either. */
    private static final int MAX_PASSWORD_BYTES = BCrypt.Version.VERSION_2Y.allowedMaxPwLength;

    // bcrypt ignores the rest: a longer password would be accepted on its first bytes alone.
    private static final String TOO_LONG = "the password is longer than " + MAX_PASSWORD_BYTES
            + " bytes, which is all bcrypt reads";

    @Option(names = "--user", paramLabel = "NAME",
            description = "Print an htpasswd line NAME:HASH instead of the bare hash.")
    private String user;

    private int cost = DEFAULT_COST;

    @Spec
    private CommandSpec spec;

    private final InputStream stdin;
    private final Console console;

    HashPasswordCommand() {
        this(System.in, terminal());
    }

    /** @param console the terminal to prompt on, or {@code null} to read the first line of {@code stdin} */
    HashPasswordCommand(InputStream stdin, Console console) {
        this.stdin = stdin;
        this.console = console;
    }

    @Option(names = "--cost", paramLabel = "N",
            description = "bcrypt cost, " + BCrypt.MIN_COST + " to " + BCrypt.MAX_COST
                    + "; each step doubles the time (default: " + DEFAULT_COST + ").")
    void setCost(int cost) {
        if (cost < BCrypt.MIN_COST || cost > BCrypt.MAX_COST) {
            throw new ParameterException(spec.commandLine(), "--cost " + cost + " is not between "
                    + BCrypt.MIN_COST + " and " + BCrypt.MAX_COST);
        }
        this.cost = cost;
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        if (user != null) {
            try {
                BasicUser.checkName(user);
            } catch (IllegalArgumentException e) {
                return refuse(err, "--user: " + e.getMessage());
            }
        }
        byte[] password = null;
        try {
            password = console != null ? fromTerminal() : firstLine(stdin);
            if (password.length == 0) {
                return refuse(err, "the password is empty");
            }
            if (password.length > MAX_PASSWORD_BYTES) {
                return refuse(err, TOO_LONG);
            }
            String hash = new String(HASHER.hash(cost, password), StandardCharsets.US_ASCII);
            PrintWriter out = spec.commandLine().getOut();
            out.println(user == null ? hash : user + ":" + hash);
            out.flush();
            return 0;
        } catch (Refusal refusal) {
            return refuse(err, refusal.getMessage());
        } catch (IOException e) {
            return refuse(err, "cannot read standard input (" + e.getClass().getSimpleName() + ")");
        } finally {
            if (password != null) {
                Arrays.fill(password, (byte) 0);
            }
        }
    }

    /** Asks twice, so that a typo nobody saw does not become the password. */
    private byte[] fromTerminal() throws Refusal {
        char[] first = console.readPassword("Password: ");
        char[] second = null;
        try {
            if (first == null || first.length == 0) {
                throw new Refusal("the password is empty");
            }
            second = console.readPassword("Again: ");
            if (second == null || !Arrays.equals(first, second)) {
                throw new Refusal("the two passwords do not match");
            }
            return utf8(first);
        } finally {
            if (first != null) {
                Arrays.fill(first, '\0');
            }
            if (second != null) {
                Arrays.fill(second, '\0');
            }
        }
    }

    /**
     * The first line, without its line end; the rest of the input is not read. No more is kept
     * than a password may have, so a file piped in by mistake is refused, not held in memory.
     */
    static byte[] firstLine(InputStream in) throws IOException, Refusal {
        // Room for the longest password, a '\r' and one byte more to tell that the line is too long.
        byte[] line = new byte[MAX_PASSWORD_BYTES + 2];
        try {
            int length = 0;
            for (int b = in.read(); b != -1 && b != '\n'; b = in.read()) {
                if (length == line.length) {
                    throw new Refusal(TOO_LONG);
                }
                line[length++] = (byte) b;
            }
            if (length > 0 && line[length - 1] == '\r') {
                length--;
            }
            byte[] password = Arrays.copyOf(line, length);
            checkUtf8(password);
            return password;
        } finally {
            Arrays.fill(line, (byte) 0);
        }
    }

    /** The gate decodes a Basic password as UTF-8, so other bytes could never match. */
    private static void checkUtf8(byte[] password) throws Refusal {
        try {
            CharBuffer decoded = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(password));
            Arrays.fill(decoded.array(), '\0');
        } catch (CharacterCodingException e) {
            Arrays.fill(password, (byte) 0);
            throw new Refusal("the password is not valid UTF-8");
        }
    }

    private static byte[] utf8(char[] password) throws Refusal {
        ByteBuffer encoded;
        try {
            encoded = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(password));
        } catch (CharacterCodingException e) {
            throw new Refusal("the password cannot be encoded as UTF-8");
        }
        byte[] bytes = Arrays.copyOf(encoded.array(), encoded.limit());
        Arrays.fill(encoded.array(), (byte) 0);
        return bytes;
    }

    private static int refuse(PrintWriter err, String problem) {
        err.println("mapgate: hash-password: " + problem);
        err.flush();
        return Main.EXIT_USAGE;
    }

    /**
     * Java 22 and later return a Console even when standard input is a pipe; only a terminal gets
     * the prompts. {@code isTerminal()} does not exist before Java 22, where a Console always is one.
     */
    private static Console terminal() {
        Console console = System.console();
        if (console == null) {
            return null;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return Boolean.TRUE.equals(isTerminal.invoke(console)) ? console : null;
        } catch (ReflectiveOperationException e) {
            return console;
        }
    }

    /** A password that cannot be used; the message says why and never contains it. */
    static final class Refusal extends Exception {
        Refusal(String message) {
            super(message, null, false, false);
        }
    }
}
