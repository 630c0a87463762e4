package io.dwcp.simd;

/**
 * Whether the Vector API pays in this JVM, decided once: the {@code jdk.incubator.vector} module must be in the
 * boot layer and C2 must run. Without C2 ({@code -XX:TieredStopAtLevel=1}, which {@code ./dwcp} uses for sends of
 * trees, or {@code -Xint}) the API is never intrinsified and runs as allocating Java, some hundred times slower
 * than a plain scalar loop: a 3 GiB sparse file in a tree took 37 s to zero-scan that way, against 2 s sent alone.
 * Every vector kernel asks here, so none can miss the rule.
 */
public final class VectorSupport {
    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final String WHY_NOT = whyNot(System.getProperty("java.vm.info", ""));

    private VectorSupport() {
    }

    /** True when the Vector API is present and compiled by C2 here. */
    public static boolean usable() {
        return WHY_NOT == null;
    }

    /** Why the Vector API is not used ({@code no-vector-module}, {@code no-c2}), or null when it is. */
    public static String whyNot() {
        return WHY_NOT;
    }

    /** Whether {@code jdk.incubator.vector} is in the boot layer (started with {@code --add-modules}). */
    public static boolean modulePresent() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    static String whyNot(String vmInfo) {
        if (!modulePresent()) {
            return "no-vector-module";
        }
        // java.vm.info names the compiler setup for free: "emulated-client" when C1 only, "interpreted mode"
        // under -Xint. Asking HotSpotDiagnosticMXBean instead would cost ~15 ms of JMX start-up.
        if (vmInfo.contains("emulated-client") || vmInfo.contains("interpreted")) {
            return "no-c2";
        }
        return null;
    }
}
