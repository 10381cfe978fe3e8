package dev.mapgate.architecture;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The packages form a tree a newcomer can read from the top: the wiring in {@code dev.mapgate},
 * the pipeline in {@code server}, the decisions in {@code gate} at the bottom. A cycle between two
 * packages means neither can be understood, or tested, without the other.
 */
class PackageCyclesTest {

    private static final JavaClasses MAIN_CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.mapgate");

    @Test
    void noTwoPackagesDependOnEachOther() {
        slices().matching("dev.mapgate.(*)..")
                .as("mapgate's packages")
                .should().beFreeOfCycles()
                .check(MAIN_CLASSES);
    }
}
