/**
 * The data plane's host resources: NUMA {@link io.dwcp.numa.Topology} from sysfs, CPU pinning
 * ({@link io.dwcp.numa.PinPolicy}, {@link io.dwcp.numa.Affinity}), huge-page memory
 * ({@link io.dwcp.numa.HugePages}), the bounded {@link io.dwcp.numa.SlabPool} every data-plane buffer comes
 * from, and the pinned {@link io.dwcp.numa.WorkerGroup}; {@link io.dwcp.numa.NumaRuntime} builds them from the
 * {@code serve} options. Native calls live in {@code io.dwcp.numa.linux} only.
 */
package io.dwcp.numa;
