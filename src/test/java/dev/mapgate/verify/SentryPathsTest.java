package dev.mapgate.verify;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SentryPathsTest {

    @ParameterizedTest(name = "{0} + {1} = {2}")
    @CsvSource(delimiter = '|', value = {
        // relative: the JS file's directory
        "https://cdn.example/assets/app.js   | app.js.map                    | https://cdn.example/assets/app.js.map",
        "https://cdn.example/assets/app.js   | ./app.js.map                  | https://cdn.example/assets/app.js.map",
        "https://cdn.example/assets/app.js   | maps/app.js.map               | https://cdn.example/assets/maps/app.js.map",
        "https://cdn.example/a/b/app.js      | ../maps/app.js.map            | https://cdn.example/a/maps/app.js.map",
        "https://cdn.example/a/b/app.js      | ../../../../app.js.map        | https://cdn.example/app.js.map",
        "https://cdn.example/a/b/app.js      | x/./y/../app.js.map           | https://cdn.example/a/b/x/app.js.map",
        "https://cdn.example/a//b/app.js     | app.js.map                    | https://cdn.example/a/b/app.js.map",
        "https://cdn.example/app.js?v=1      | app.js.map                    | https://cdn.example/app.js.map",
        "http://127.0.0.1:8080/assets/app.js | app.js.map                    | http://127.0.0.1:8080/assets/app.js.map",
        "https://cdn.example                 | app.js.map                    | https://cdn.example/app.js.map",
        // root-relative: the JS file's host
        "https://cdn.example/assets/app.js   | /maps/app.js.map              | https://cdn.example/maps/app.js.map",
        "http://127.0.0.1:8080/a/app.js      | /app.js.map                   | http://127.0.0.1:8080/app.js.map",
        // protocol-relative: the JS file's scheme
        "https://cdn.example/assets/app.js   | //maps.example/app.js.map     | https://maps.example/app.js.map",
        "http://cdn.example/assets/app.js    | //maps.example/app.js.map     | http://maps.example/app.js.map",
        // absolute, or a bundler scheme: as is
        "https://cdn.example/assets/app.js   | https://other.example/x.map   | https://other.example/x.map",
        "https://cdn.example/assets/app.js   | webpack:///src/app.ts         | webpack:///src/app.ts",
        "https://cdn.example/assets/app.js   | webpack:src/app.ts            | webpack:src/app.ts",
        "https://cdn.example/assets/app.js   | turbopack:///src/app.ts       | turbopack:///src/app.ts",
        // Sentry's "~/" means any host, read like an absolute path
        "https://cdn.example/assets/app.js   | ~/src/app.ts                  | https://cdn.example/src/app.ts",
        // original sources against the map's URL
        "https://cdn.example/assets/app.js.map | ../src/App.tsx              | https://cdn.example/src/App.tsx",
        "https://cdn.example/assets/app.js.map | src/App.tsx                 | https://cdn.example/assets/src/App.tsx"})
    void joinsAsSentryDoes(String base, String reference, String expected) {
        assertThat(SentryPaths.join(base, reference)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} + {1} = {2}")
    @CsvSource(delimiter = '|', value = {
        "/srv/app.js   | ../x.map | /x.map",
        "/srv/app.js   | ../../x.map | /../x.map",
        "app.js        | ./x.map  | /x.map"})
    void aBaseWithoutSchemeIsAPathAndKeepsDotDotAboveTheRoot(String base, String reference, String expected) {
        assertThat(SentryPaths.join(base, reference)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "root {0}, source {1} = {2}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
        "null              | src/a.ts                | src/a.ts",
        "''                | src/a.ts                | src/a.ts",
        "/app/             | src/a.ts                | /app/src/a.ts",
        "/app              | src/a.ts                | /app/src/a.ts",
        "webpack:///       | ./src/a.ts              | webpack:///./src/a.ts",
        "https://src.example/ | a.ts                 | https://src.example/a.ts",
        "/app/             | /abs/a.ts               | /abs/a.ts",
        "/app/             | https://x.example/a.ts  | https://x.example/a.ts",
        "/app/             | ''                      | /app/"})
    void appliesSourceRootLikeSentrysParser(String root, String source, String expected) {
        assertThat(SentryPaths.withSourceRoot(root, source)).isEqualTo(expected);
    }
}
