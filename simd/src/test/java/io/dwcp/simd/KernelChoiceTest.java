package io.dwcp.simd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Which kernel {@link DeltaKernels#get()} picks, and why ({@link DeltaKernels#choice()}), in child JVMs started with the flags that
 * decide it (the choice is made once per JVM, so it cannot be varied in this one).
 */
class KernelChoiceTest {

    /** Entry point of the child JVM: prints the chosen kernel's name and the choice as processes log it. */
    public static void main(String[] args) {
        System.out.println("chosen=" + DeltaKernels.get().name());
        System.out.println("simd " + DeltaKernels.choice());
        System.out.println("zero_scan=" + ZeroScan.path());
    }

    @Test
    void vectorByDefaultWithTheModuleAndC2() throws Exception {
        String out = run("--add-modules", "jdk.incubator.vector");
        assertTrue(out.contains("chosen=vector("), out);
        assertTrue(out.contains("simd kernel=vector bits="), out);
        assertTrue(out.contains("zero_scan=vector"), out);
    }

    @Test
    void scalarWhenForced() throws Exception {
        String out = run("--add-modules", "jdk.incubator.vector", "-Ddwcp.simd=scalar");
        assertTrue(out.contains("chosen=scalar"), out);
        assertTrue(out.contains("simd kernel=scalar reason=forced-by-property"), out);
    }

    @Test
    void scalarWithoutC2() throws Exception {
        // ./dwcp runs sends of trees with C1 only: the Vector API would then run as allocating Java.
        String out = run("--add-modules", "jdk.incubator.vector", "-XX:TieredStopAtLevel=1");
        assertTrue(out.contains("chosen=scalar"), out);
        assertTrue(out.contains("simd kernel=scalar reason=no-c2"), out);
        // the zero scan too: a 3 GiB sparse file in a tree took 37 s in the uncompiled Vector API, 2 s alone
        assertTrue(out.contains("zero_scan=scalar"), out);
    }

    @Test
    void scalarWithoutTheVectorModule() throws Exception {
        String out = run();
        assertTrue(out.contains("chosen=scalar"), out);
        assertTrue(out.contains("simd kernel=scalar reason=no-vector-module"), out);
        assertTrue(out.contains("zero_scan=scalar"), out);
    }

    private static String run(String... flags) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(List.of(java, "-Xshare:auto"));
        cmd.addAll(List.of(flags));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), KernelChoiceTest.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child JVM did not finish: " + out);
        assertEquals(0, p.exitValue(), out);
        return out;
    }
}
