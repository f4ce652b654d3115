import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { compareQuantities, milliValue, parseBytes, parseCpuMillis, parseQuantity, QuantityError, value } from "./quantity.js";

describe("quantity", () => {
  const cpu: [string, number][] = [
    ["100m", 100],
    ["0.5", 500],
    ["2", 2000],
    [".25", 250],
    ["1.", 1000],
    ["1e3", 1_000_000],
    ["1E-3", 1],
    ["+3", 3000],
    ["0.0001", 1], // MilliValue rounds up
    ["1.5m", 2],
    ["0", 0],
  ];
  for (const [text, want] of cpu) test(`cpu ${text} → ${want}m`, () => assert.equal(parseCpuMillis(text), want));

  const bytes: [string, number][] = [
    ["64Mi", 64 * 1024 * 1024],
    ["1Ki", 1024],
    ["1Gi", 2 ** 30],
    ["1G", 1e9],
    ["500k", 500_000],
    ["1e3", 1000],
    ["128974848", 128_974_848],
    ["129M", 129_000_000],
    ["0.5", 1], // Value rounds up
    ["1.5Gi", 1.5 * 2 ** 30],
    ["1P", 1e15],
  ];
  for (const [text, want] of bytes) {
    test(`bytes ${text} → ${want}`, () => assert.equal(parseBytes(text), want));
  }

  const bad = ["", " 1", "1 ", "abc", "1.2.3", "1Mb", "1kk", "--1", "1e", "e3", "Mi", "1e1000", "0x10", "1,5"];
  for (const text of bad) {
    test(`rejects ${JSON.stringify(text)}`, () => {
      assert.throws(() => parseQuantity(text), (err: unknown) => err instanceof QuantityError && err.message.includes(JSON.stringify(text)));
    });
  }

  test("too large for a number is an error, not a wrong value", () => {
    assert.throws(() => parseBytes("8Ei"), QuantityError);
  });

  test("exact comparison: different spellings of the same amount are equal", () => {
    assert.equal(compareQuantities(parseQuantity("1Gi"), parseQuantity("1024Mi")), 0);
    assert.equal(compareQuantities(parseQuantity("0.1"), parseQuantity("100m")), 0);
    assert.equal(compareQuantities(parseQuantity("1G"), parseQuantity("1Gi")), -1);
    assert.equal(compareQuantities(parseQuantity("1E"), parseQuantity("1000P")), 0);
  });

  test("negative values round up toward zero, like Go's ceil", () => {
    assert.equal(milliValue(parseQuantity("-1.5m")), -1);
    assert.equal(value(parseQuantity("-0.5")), 0);
  });
});
