package io.dwcp.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class JsonFieldsTest {
    @Test
    void readsDwcpSendOutput() {
        String out = "WARNING: Using incubator modules: jdk.incubator.vector\n"
                + "{\"files\":1,\"bytes\":67108864,\"wire_bytes\":67200000,\"seconds\":0.25,\"verified\":true,"
                + "\"exit_code\":0,\"error\":null,\"note\":\"a \\\"quoted\\\" word\"}\n";
        String json = JsonFields.lastObjectLine(out).orElseThrow();
        assertEquals(67108864.0, JsonFields.number(json, "bytes").orElseThrow());
        assertEquals(0.25, JsonFields.number(json, "seconds").orElseThrow());
        assertTrue(JsonFields.bool(json, "verified").orElseThrow());
        assertTrue(JsonFields.string(json, "error").isEmpty(), "null is no string");
        assertTrue(JsonFields.number(json, "error").isEmpty());
        assertEquals("a \\\"quoted\\\" word", JsonFields.string(json, "note").orElseThrow());
        assertTrue(JsonFields.number(json, "absent").isEmpty());
    }

    @Test
    void readsIperf3SumSent() {
        String json = "{\"intervals\":[{\"sum\":{\"seconds\":1.0}}],\"end\":{\"streams\":[],"
                + "\"sum_sent\":{\"start\":0,\"end\":0.41,\"seconds\":0.41,\"bytes\":1073741824,\"bits_per_second\":2.09e10},"
                + "\"sum_received\":{\"seconds\":0.42}}}";
        String sent = JsonFields.flatObject(json, "sum_sent").orElseThrow();
        assertEquals(0.41, JsonFields.number(sent, "seconds").orElseThrow());
        assertEquals(2.09e10, JsonFields.number(sent, "bits_per_second").orElseThrow());
    }
}
