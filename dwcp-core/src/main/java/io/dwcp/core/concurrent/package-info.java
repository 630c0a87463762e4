/** Small, exact concurrency for hot paths: bounded queues that allocate nothing once built. */
package io.dwcp.core.concurrent;
