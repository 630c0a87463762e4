package io.dwcp.bench.e2e;

import java.nio.file.Path;

/** A generated source: what every tool copies, and what its copy is checked against. */
record Source(Path path, long bytes, long files) {}
