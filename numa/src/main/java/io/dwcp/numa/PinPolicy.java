package io.dwcp.numa;

import java.util.Locale;

/**
 * Which CPUs the data-plane workers are pinned to, from {@code --pin auto|off|CPULIST}: {@code auto} is every
 * online CPU the process may use (one worker each), {@code off} pins nothing, a list is exactly those CPUs.
 */
public final class PinPolicy {
    /** The three forms of the option. */
    public enum Mode { AUTO, OFF, LIST }

    private static final PinPolicy AUTO = new PinPolicy(Mode.AUTO, CpuList.empty());
    private static final PinPolicy OFF = new PinPolicy(Mode.OFF, CpuList.empty());

    private final Mode mode;
    private final CpuList cpus;

    private PinPolicy(Mode mode, CpuList cpus) {
        this.mode = mode;
        this.cpus = cpus;
    }

    public static PinPolicy auto() {
        return AUTO;
    }

    public static PinPolicy off() {
        return OFF;
    }

    /** Exactly these CPUs (checked against the machine by {@link #resolve}). */
    public static PinPolicy cpus(CpuList cpus) {
        if (cpus.isEmpty()) {
            throw new IllegalArgumentException("pin=\"\" reason=empty-cpu-list expected=auto|off|CPULIST");
        }
        return new PinPolicy(Mode.LIST, cpus);
    }

    /**
     * Parses the option value.
     *
     * @throws IllegalArgumentException {@code pin="x" reason=... expected=auto|off|CPULIST}
     */
    public static PinPolicy parse(String value) {
        String v = value.strip().toLowerCase(Locale.ROOT);
        switch (v) {
            case "auto":
                return AUTO;
            case "off":
                return OFF;
            default:
                try {
                    return cpus(CpuList.parse(v));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("pin=\"" + value.strip() + "\" expected=auto|off|CPULIST "
                            + e.getMessage(), e);
                }
        }
    }

    public Mode mode() {
        return mode;
    }

    /**
     * The CPUs to pin to on this machine: empty for {@code off}; for {@code auto}, the online CPUs in
     * {@code allowed}; for a list, the list itself once every CPU in it is online and allowed.
     *
     * @param allowed the process's affinity (what {@code sched_getaffinity} reports at start)
     * @throws IllegalArgumentException {@code pin=4-5 reason=cpu-not-available cpus=4-5 online=0-1 allowed=0-1}
     */
    public CpuList resolve(CpuList online, CpuList allowed) {
        return switch (mode) {
            case OFF -> CpuList.empty();
            case AUTO -> {
                CpuList usable = online.intersect(allowed);
                yield usable.isEmpty() ? online : usable;
            }
            case LIST -> {
                CpuList missing = cpus.minus(online.intersect(allowed));
                if (!missing.isEmpty()) {
                    throw new IllegalArgumentException("pin=" + cpus + " reason=cpu-not-available cpus=" + missing
                            + " online=" + online + " allowed=" + allowed);
                }
                yield cpus;
            }
        };
    }

    /** The option's text: {@code auto}, {@code off} or the list. */
    @Override
    public String toString() {
        return mode == Mode.LIST ? cpus.toString() : mode.name().toLowerCase(Locale.ROOT);
    }
}
