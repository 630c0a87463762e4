package io.dwcp.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No dependency cycles between the project's packages, in any module: the lower layer owns the interface.
 * Dependencies are read from the sources (imports and fully qualified names), so the check needs no build.
 */
class PackageCyclesTest {
    private static final Pattern PACKAGE = Pattern.compile("^package (io\\.dwcp[\\w.]*);", Pattern.MULTILINE);
    private static final Pattern REFERENCE = Pattern.compile("\\b(io\\.dwcp(?:\\.[a-z]\\w*)+)\\.[A-Z]");

    @Test
    void thePackageGraphHasNoCycles() throws IOException {
        Map<String, Set<String>> graph = graph();
        assertTrue(graph.size() > 10, "found the sources: " + graph.keySet());
        List<List<String>> cycles = new ArrayList<>();
        for (List<String> scc : new Tarjan(graph).components()) {
            if (scc.size() > 1) {
                cycles.add(scc);
            }
        }
        assertEquals(List.of(), cycles, "package cycles");
    }

    static Map<String, Set<String>> graph() throws IOException {
        Path repo = Path.of("").toAbsolutePath().getParent();
        Map<String, Set<String>> graph = new TreeMap<>();
        try (Stream<Path> files = Files.walk(repo)) {
            for (Path p : (Iterable<Path>) files.filter(f -> f.toString().endsWith(".java")
                    && f.toString().contains("/src/main/java/"))::iterator) {
                String src = Files.readString(p);
                Matcher pm = PACKAGE.matcher(src);
                if (!pm.find()) {
                    continue;
                }
                String from = pm.group(1);
                Set<String> deps = graph.computeIfAbsent(from, k -> new TreeSet<>());
                Matcher rm = REFERENCE.matcher(src.substring(pm.end()));
                while (rm.find()) {
                    if (!rm.group(1).equals(from)) {
                        deps.add(rm.group(1));
                    }
                }
            }
        }
        return graph;
    }

    /** Strongly connected components (Tarjan); the package graph is small enough to recurse. */
    private static final class Tarjan {
        private final Map<String, Set<String>> graph;
        private final Map<String, Integer> index = new HashMap<>();
        private final Map<String, Integer> low = new HashMap<>();
        private final Deque<String> stack = new ArrayDeque<>();
        private final Set<String> onStack = new TreeSet<>();
        private final List<List<String>> out = new ArrayList<>();
        private int next;

        Tarjan(Map<String, Set<String>> graph) {
            this.graph = graph;
        }

        List<List<String>> components() {
            for (String v : graph.keySet()) {
                if (!index.containsKey(v)) {
                    visit(v);
                }
            }
            return out;
        }

        private void visit(String v) {
            index.put(v, next);
            low.put(v, next++);
            stack.push(v);
            onStack.add(v);
            for (String w : graph.getOrDefault(v, Set.of())) {
                if (!index.containsKey(w)) {
                    visit(w);
                    low.put(v, Math.min(low.get(v), low.get(w)));
                } else if (onStack.contains(w)) {
                    low.put(v, Math.min(low.get(v), index.get(w)));
                }
            }
            if (low.get(v).equals(index.get(v))) {
                List<String> scc = new ArrayList<>();
                String w;
                do {
                    w = stack.pop();
                    onStack.remove(w);
                    scc.add(w);
                } while (!w.equals(v));
                out.add(scc);
            }
        }
    }
}
