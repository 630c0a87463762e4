package io.dwcp.numa;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CpuListTest {

    @ParameterizedTest
    @ValueSource(strings = {"0", "0-3", "0-3,8-11,13", "1,3,5", "0-1", "7,9-10,4095", ""})
    void kernelTextRoundTrips(String text) {
        assertEquals(text, CpuList.parse(text).toString());
    }

    @Test
    void parsesWhatSysfsWrites() {
        CpuList l = CpuList.parse("0-3,8-11,13\n");
        assertArrayEquals(new int[] {0, 1, 2, 3, 8, 9, 10, 11, 13}, l.toArray());
        assertEquals(9, l.size());
        assertTrue(l.contains(13));
    }

    @Test
    void formatsLikeTheKernel() {
        assertEquals("0-2,5", CpuList.of(5, 2, 1, 0, 2).toString());
        assertEquals("0-1", CpuList.parse("0,1").toString());
        assertEquals("3", CpuList.parse("3-3").toString());
    }

    @Test
    void setOperations() {
        CpuList a = CpuList.parse("0-7");
        CpuList b = CpuList.parse("4-11");
        assertEquals(CpuList.parse("4-7"), a.intersect(b));
        assertEquals(CpuList.parse("0-3"), a.minus(b));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "x|not-a-number",
        "1-x|not-a-number",
        "3-1|descending-range",
        "1,,2|empty-element",
        "1,|empty-element",
        "-1|missing-number",
        "1-|missing-number",
        "1-2-3|not-a-number",
        "0-7:2/4|not-a-number",
        "99999|out-of-range",
        "123456789|out-of-range"})
    void badInputIsNamed(String text, String reason) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CpuList.parse(text));
        assertTrue(e.getMessage().startsWith("cpulist=\"" + text + "\" reason=" + reason), e.getMessage());
    }
}
