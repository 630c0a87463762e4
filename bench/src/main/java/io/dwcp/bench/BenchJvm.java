package io.dwcp.bench;

/**
 * The JVM flags every benchmark fork needs (the same as {@code dwcp.jvm.flags} in the root pom), as
 * constants so that the {@code @Fork} annotations name them once.
 */
final class BenchJvm {
    static final String ADD_MODULES = "--add-modules";
    static final String VECTOR = "jdk.incubator.vector";
    static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";

    private BenchJvm() {
    }
}
