/**
 * What a process's data plane runs on, chosen once at start-up and shared by every transfer: the I/O path
 * (zero-copy or portable), the slab pool every data-plane buffer comes from, and the pinned data threads.
 */
package io.dwcp.engine.runtime;
