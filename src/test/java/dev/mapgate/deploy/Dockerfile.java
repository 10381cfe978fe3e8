package dev.mapgate.deploy;

import com.typesafe.config.ConfigFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Dockerfile read the way the builder reads it, as far as mapgate's uses it: comments and blank
 * lines dropped, {@code \} continuations joined (with comment lines inside them skipped), and the
 * instructions grouped into stages at each {@code FROM}. Heredocs and a changed escape character
 * are not understood.
 */
record Dockerfile(List<Stage> stages) {

    private static final Pattern FROM = Pattern.compile("(?:--\\S+\\s+)*(\\S+)(?:\\s+(?i:as)\\s+(\\S+))?");

    /** One instruction; {@code line} is where it starts, for messages. */
    record Instruction(int line, String keyword, String arguments) {

        /** The JSON array of exec form ({@code ["java", "-jar"]}); empty for shell form. */
        Optional<List<String>> execForm() {
            if (!arguments.startsWith("[")) {
                return Optional.empty();
            }
            // HOCON reads any JSON array.
            return Optional.of(ConfigFactory.parseString("v = " + arguments).getStringList("v"));
        }

        /** Arguments split at white space, with the leading {@code --flag=value} options left out. */
        List<String> operands() {
            List<String> words = words();
            int i = 0;
            while (i < words.size() && words.get(i).startsWith("--")) {
                i++;
            }
            return words.subList(i, words.size());
        }

        /** The value of a leading {@code --name=value} option, as in {@code COPY --from=build}. */
        Optional<String> flag(String name) {
            for (String word : words()) {
                if (!word.startsWith("--")) {
                    break;
                }
                if (word.startsWith("--" + name + "=")) {
                    return Optional.of(word.substring(name.length() + 3));
                }
            }
            return Optional.empty();
        }

        List<String> words() {
            return arguments.isEmpty() ? List.of() : List.of(arguments.split("\\s+"));
        }

        /**
         * The variables an {@code ENV} sets: {@code KEY=value} pairs, values optionally in double
         * quotes (with {@code \"} inside), or the older {@code ENV KEY value}.
         */
        Map<String, String> environment() {
            Map<String, String> env = new LinkedHashMap<>();
            String[] first = arguments.split("\\s+", 2);
            if (!first[0].contains("=")) {
                env.put(first[0], first.length > 1 ? first[1] : "");
                return env;
            }
            int i = 0;
            while (true) {
                while (i < arguments.length() && Character.isWhitespace(arguments.charAt(i))) {
                    i++;
                }
                if (i == arguments.length()) {
                    return env;
                }
                int equals = arguments.indexOf('=', i);
                String key = equals < 0 ? "" : arguments.substring(i, equals);
                if (key.isEmpty() || key.chars().anyMatch(Character::isWhitespace)) {
                    throw new IllegalArgumentException("line " + line + ": ENV entry without '=': " + arguments.substring(i));
                }
                StringBuilder value = new StringBuilder();
                boolean quoted = false;
                for (i = equals + 1; i < arguments.length() && (quoted || !Character.isWhitespace(arguments.charAt(i))); i++) {
                    char c = arguments.charAt(i);
                    if (c == '"') {
                        quoted = !quoted;
                    } else if (c == '\\' && i + 1 < arguments.length()) {
                        value.append(arguments.charAt(++i));
                    } else {
                        value.append(c);
                    }
                }
                env.put(key, value.toString());
            }
        }
    }

    /** One build stage: its base image, its {@code AS} name (or null) and its instructions. */
    record Stage(String image, String name, List<Instruction> instructions) {

        List<Instruction> all(String keyword) {
            return instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        }

        Optional<Instruction> last(String keyword) {
            List<Instruction> found = all(keyword);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.get(found.size() - 1));
        }

        /** The {@code COPY --from=<stage>} of a file whose name ends in {@code suffix}. */
        Optional<Instruction> copyFrom(String stage, String suffix) {
            return all("COPY").stream()
                    .filter(i -> i.flag("from").filter(stage::equals).isPresent())
                    .filter(i -> i.operands().get(0).endsWith(suffix))
                    .findFirst();
        }

        /** Every variable the stage's {@code ENV} instructions set, later ones winning. */
        Map<String, String> environment() {
            Map<String, String> env = new LinkedHashMap<>();
            all("ENV").forEach(i -> env.putAll(i.environment()));
            return env;
        }

        /** The folder a relative path in this stage is resolved against: its last WORKDIR, else /. */
        String workdir() {
            return last("WORKDIR").map(Instruction::arguments).orElse("/");
        }
    }

    static Dockerfile parse(String text) {
        List<Instruction> instructions = new ArrayList<>();
        String[] lines = text.split("\\R", -1);
        StringBuilder pending = null;
        int start = 0;
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n];
            String trimmed = line.strip();
            // Comment and blank lines are dropped, also in the middle of a continued instruction.
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            if (pending == null) {
                pending = new StringBuilder();
                start = n + 1;
            }
            boolean continues = trimmed.endsWith("\\");
            pending.append(continues ? trimmed.substring(0, trimmed.length() - 1).strip() : trimmed).append(' ');
            if (!continues) {
                instructions.add(instruction(start, pending.toString().strip()));
                pending = null;
            }
        }
        if (pending != null) {
            throw new IllegalArgumentException("line " + start + ": the last instruction ends in a continuation");
        }
        return new Dockerfile(stages(instructions));
    }

    private static Instruction instruction(int line, String text) {
        String[] parts = text.split("\\s+", 2);
        return new Instruction(line, parts[0].toUpperCase(Locale.ROOT), parts.length > 1 ? parts[1].strip() : "");
    }

    private static List<Stage> stages(List<Instruction> instructions) {
        List<Stage> stages = new ArrayList<>();
        for (Instruction instruction : instructions) {
            if (instruction.keyword().equals("FROM")) {
                Matcher m = FROM.matcher(instruction.arguments());
                if (!m.matches()) {
                    throw new IllegalArgumentException("line " + instruction.line() + ": cannot read FROM " + instruction.arguments());
                }
                stages.add(new Stage(m.group(1), m.group(2), new ArrayList<>()));
            } else if (!stages.isEmpty()) {
                stages.get(stages.size() - 1).instructions().add(instruction);
            } else if (!instruction.keyword().equals("ARG")) {
                throw new IllegalArgumentException("line " + instruction.line() + ": " + instruction.keyword() + " before the first FROM");
            }
        }
        return stages.stream().map(s -> new Stage(s.image(), s.name(), List.copyOf(s.instructions()))).toList();
    }

    Stage stage(String name) {
        return stages.stream().filter(s -> name.equals(s.name())).findFirst()
                .orElseThrow(() -> new AssertionError("no stage named " + name));
    }

    Stage finalStage() {
        return stages.get(stages.size() - 1);
    }
}
