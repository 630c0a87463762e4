package io.dwcp.numa;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PinPolicyTest {
    private static final CpuList ONLINE = CpuList.parse("0-7");

    @Test
    void parsesTheThreeForms() {
        assertEquals(PinPolicy.Mode.AUTO, PinPolicy.parse("auto").mode());
        assertEquals(PinPolicy.Mode.OFF, PinPolicy.parse(" OFF ").mode());
        assertEquals(PinPolicy.Mode.LIST, PinPolicy.parse("2-3,5").mode());
        assertEquals("2-3,5", PinPolicy.parse("2-3,5").toString());
        assertEquals("auto", PinPolicy.auto().toString());
    }

    @Test
    void autoIsTheAllowedOnlineCpus() {
        assertEquals(CpuList.parse("2-5"), PinPolicy.auto().resolve(ONLINE, CpuList.parse("2-5,9")));
    }

    @Test
    void offPinsNothing() {
        assertTrue(PinPolicy.off().resolve(ONLINE, ONLINE).isEmpty());
    }

    @Test
    void aListIsExactlyThoseCpus() {
        assertEquals(CpuList.parse("1,3"), PinPolicy.parse("1,3").resolve(ONLINE, ONLINE));
    }

    @Test
    void aListOutsideTheAllowedSetIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PinPolicy.parse("6-9").resolve(ONLINE, CpuList.parse("0-6")));
        assertEquals("pin=6-9 reason=cpu-not-available cpus=7-9 online=0-7 allowed=0-6", e.getMessage());
    }

    @Test
    void garbageIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PinPolicy.parse("all"));
        assertEquals("pin=\"all\" expected=auto|off|CPULIST cpulist=\"all\" reason=not-a-number", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PinPolicy.parse(""));
    }
}
