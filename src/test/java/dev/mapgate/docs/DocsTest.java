package dev.mapgate.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The documents (README.md and the pages in src/site/markdown) agree with the files they describe
 * and with each other: the same environment variables as the config, links that lead somewhere,
 * and a README short enough to be read.
 */
class DocsTest {

    private static final Path README = Path.of("README.md");
    private static final Path SITE = Path.of("src/site/markdown");
    private static final Path REFERENCE = Path.of("src/main/resources/reference.conf");
    private static final Path ENV_OVERRIDES = Path.of("src/main/resources/mapgate-env.conf");
    private static final int README_MAX_LINES = 300;

    private static final Pattern VARIABLE = Pattern.compile("MAPGATE_[A-Z0-9_]+");
    /** In mapgate-env.conf only what it reads counts, not what its comments mention. */
    private static final Pattern OVERRIDE = Pattern.compile("\\$\\{\\?(MAPGATE_[A-Z0-9_]+)}");
    private static final Pattern LINK = Pattern.compile("\\[([^\\]]*)]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern FENCE = Pattern.compile("^\\s*(```|~~~)");

    /**
     * Variables the docs rightly name although they override no config key, so reference.conf and
     * mapgate-env.conf do not have them; each with the file that reads it. Nothing else may be
     * named in the docs alone.
     */
    private static final Map<String, Path> NOT_CONFIG_OVERRIDES = Map.of(
            // Chooses the log encoder (text or JSON) in Logback's config, not in mapgate's.
            "MAPGATE_LOG_FORMAT", Path.of("src/main/resources/logback.xml"),
            // The token `mapgate verify` sends, kept out of ps and shell history.
            "MAPGATE_VERIFY_TOKEN", Path.of("src/main/java/dev/mapgate/verify/VerifyCommand.java"),
            // Tests only: CI sets it so that a missing test tool (an origin, kubectl) fails instead of skipping.
            "MAPGATE_TEST_REQUIRE_ORIGINS", Path.of("src/test/java/dev/mapgate/testing/RequiredTools.java"));

    @Test
    void theDocsReferenceConfAndMapgateEnvConfNameTheSameEnvironmentVariables() {
        Set<String> docs = new TreeSet<>();
        documents().forEach(doc -> docs.addAll(all(VARIABLE, read(doc), 0)));
        docs.removeAll(NOT_CONFIG_OVERRIDES.keySet());
        Map<String, Set<String>> sources = Map.of(
                "the docs (README.md, " + SITE + ")", docs,
                REFERENCE.toString(), all(VARIABLE, read(REFERENCE), 0),
                ENV_OVERRIDES.toString(), all(OVERRIDE, read(ENV_OVERRIDES), 1));

        Set<String> union = new TreeSet<>();
        sources.values().forEach(union::addAll);
        List<String> missing = new ArrayList<>();
        for (String variable : union) {
            sources.forEach((where, names) -> {
                if (!names.contains(variable)) {
                    missing.add(variable + " is missing from " + where);
                }
            });
        }
        assertThat(union).as("variables found").isNotEmpty();
        assertThat(missing).as("every MAPGATE_ variable in all three, or in NOT_CONFIG_OVERRIDES").isEmpty();
    }

    @Test
    void theVariablesThatOverrideNoConfigKeyAreDocumentedAndReadWhereTheAllowListSays() {
        String docs = String.join("\n", documents().stream().map(DocsTest::read).toList());
        NOT_CONFIG_OVERRIDES.forEach((variable, reader) -> {
            assertThat(docs).as("%s is documented", variable).contains(variable);
            assertThat(read(reader)).as("%s is read by %s", variable, reader).contains(variable);
            assertThat(read(REFERENCE)).as("%s overrides no key of reference.conf", variable).doesNotContain(variable);
        });
    }

    @Test
    void everyRelativeLinkLeadsToAnExistingFileAndEveryAnchorToAHeading() {
        List<String> broken = new ArrayList<>();
        int links = 0;
        for (Path doc : documents()) {
            List<String> lines = outsideCodeBlocks(read(doc));
            for (int i = 0; i < lines.size(); i++) {
                Matcher link = LINK.matcher(lines.get(i));
                while (link.find()) {
                    String target = link.group(2);
                    if (target.matches("(?i)(https?|mailto):.*")) {
                        continue;
                    }
                    links++;
                    String problem = problemWith(doc, target);
                    if (problem != null) {
                        broken.add("%s:%d: [%s](%s): %s".formatted(doc, i + 1, link.group(1), target, problem));
                    }
                }
            }
        }
        assertThat(links).as("relative links found").isPositive();
        assertThat(broken).as("broken links").isEmpty();
    }

    /**
     * A new user copied the Kubernetes snippet's bare {@code origin.url = ...} lines into a file
     * of their own, outside {@code mapgate { }}, where mapgate does not read them. Every HOCON
     * snippet in the docs therefore parses, and puts mapgate's keys inside {@code mapgate}.
     */
    @Test
    void everyHoconSnippetParsesAndKeepsMapgatesKeysInsideTheMapgateBlock() {
        Set<String> sections = ConfigFactory.parseFile(REFERENCE.toFile()).getObject("mapgate").keySet();
        List<String> problems = new ArrayList<>();
        int snippets = 0;
        for (Path doc : documents()) {
            for (String snippet : codeBlocks(read(doc), "hocon")) {
                snippets++;
                try {
                    Set<String> roots = ConfigFactory.parseString(snippet).root().keySet();
                    roots.stream().filter(sections::contains)
                            .forEach(key -> problems.add(doc + ": '" + key + "' outside mapgate { } in:\n" + snippet));
                } catch (ConfigException e) {
                    problems.add(doc + ": does not parse (" + e.getMessage() + "):\n" + snippet);
                }
            }
        }
        assertThat(snippets).as("HOCON snippets found; a change to how they are marked would check nothing")
                .isGreaterThanOrEqualTo(5);
        assertThat(problems).isEmpty();
    }

    @Test
    void theReadmeIsAtMost300Lines() {
        assertThat(read(README).lines().count()).as("README.md's lines; the rest belongs in " + SITE)
                .isLessThanOrEqualTo(README_MAX_LINES);
    }

    @Test
    void headingsBecomeAnchorsAsGitHubMakesThem() {
        assertThat(anchors("## Checking it with `mapgate verify`\n### On a VM (for example as a CDN's origin)\n"
                + "## Kubernetes: as a sidecar\n## Tests\n## Tests\n```\n# not a heading\n```\n"))
                .containsExactlyInAnyOrder("checking-it-with-mapgate-verify", "on-a-vm-for-example-as-a-cdns-origin",
                        "kubernetes-as-a-sidecar", "tests", "tests-1");
    }

    /** What is wrong with a relative link from {@code doc}, or null when it leads somewhere. */
    private static String problemWith(Path doc, String target) {
        int hash = target.indexOf('#');
        String path = hash < 0 ? target : target.substring(0, hash);
        String anchor = hash < 0 ? null : target.substring(hash + 1);
        Path file = path.isEmpty() ? doc : doc.toAbsolutePath().getParent().resolve(path).normalize();
        if (!Files.exists(file)) {
            return "no such file " + file;
        }
        if (anchor == null) {
            return null;
        }
        if (!file.toString().endsWith(".md")) {
            return "an anchor into a file that is not markdown cannot be checked";
        }
        Set<String> anchors = anchors(read(file));
        return anchors.contains(anchor) ? null : "no heading for #" + anchor + " in " + file + "; it has " + anchors;
    }

    /** The anchors GitHub gives a document's headings. */
    private static Set<String> anchors(String markdown) {
        Set<String> anchors = new TreeSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : outsideCodeBlocks(markdown)) {
            Matcher heading = HEADING.matcher(line);
            if (heading.matches()) {
                String slug = slug(heading.group(1));
                int n = seen.merge(slug, 1, Integer::sum);
                anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
            }
        }
        return anchors;
    }

    /** GitHub's slug: the text of the heading in lower case, punctuation but '-' and '_' left out, spaces as '-'. */
    static String slug(String heading) {
        String text = LINK.matcher(heading).replaceAll("$1");
        return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{Mn}\\p{Nd}_ -]", "").replace(' ', '-');
    }

    /** The document's lines, with those inside fenced code blocks blanked (so line numbers still count). */
    private static List<String> outsideCodeBlocks(String markdown) {
        List<String> lines = new ArrayList<>();
        boolean inside = false;
        for (String line : markdown.split("\\R", -1)) {
            boolean fence = FENCE.matcher(line).find();
            lines.add(inside || fence ? "" : line);
            if (fence) {
                inside = !inside;
            }
        }
        return lines;
    }

    /** The text of each fenced block opened with {@code ```language}. */
    private static List<String> codeBlocks(String markdown, String language) {
        List<String> blocks = new ArrayList<>();
        StringBuilder block = null;
        for (String line : markdown.split("\\R", -1)) {
            if (block == null && line.strip().equals("```" + language)) {
                block = new StringBuilder();
            } else if (block != null && FENCE.matcher(line).find()) {
                blocks.add(block.toString());
                block = null;
            } else if (block != null) {
                block.append(line).append('\n');
            }
        }
        return blocks;
    }

    private static List<Path> documents() {
        try (Stream<Path> pages = Files.list(SITE)) {
            List<Path> documents = new ArrayList<>(List.of(README));
            pages.filter(p -> p.toString().endsWith(".md")).sorted().forEach(documents::add);
            return documents;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Set<String> all(Pattern pattern, String text, int group) {
        Set<String> found = new TreeSet<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            found.add(m.group(group));
        }
        return found;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
