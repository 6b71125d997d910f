import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { formatBytes, formatEta, formatRate } from "../src/format.ts";

Deno.test("formatBytes picks decimal units", () => {
  assertEquals(formatBytes(0), "0 B");
  assertEquals(formatBytes(999), "999 B");
  assertEquals(formatBytes(1536), "1.5 KB");
  assertEquals(formatBytes(268_435_456), "268 MB");
  assertEquals(formatBytes(5_000_000_000), "5.0 GB");
  assertEquals(formatBytes(-1), "–");
  assertEquals(formatBytes(Number.NaN), "–");
});

Deno.test("formatRate appends per second", () => {
  assertEquals(formatRate(25_000_000), "25.0 MB/s");
});

Deno.test("formatEta rounds and pads", () => {
  assertEquals(formatEta(42.4), "42s");
  assertEquals(formatEta(185), "3m 05s");
  assertEquals(formatEta(3720), "1h 02m");
  assertEquals(formatEta(null), "–");
  assertEquals(formatEta(Infinity), "–");
});
