import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { expand, mappingFor } from "./expansion.js";

describe("expand", () => {
  const vars = mappingFor(new Map([["VAR_A", "A"], ["VAR_B", "B"], ["EMPTY", ""]]), new Map([["SVC", "svc"], ["VAR_A", "shadowed"]]));
  // The cases of Kubernetes' own expansion tests (third_party/forked/golang/expansion).
  const cases: [string, string, string][] = [
    ["whole string", "$(VAR_A)", "A"],
    ["repeated", "$(VAR_A)-$(VAR_A)", "A-A"],
    ["in the middle", "___$(VAR_B)___", "___B___"],
    ["two variables", "$(VAR_A)$(VAR_B)", "AB"],
    ["empty value", "x$(EMPTY)y", "xy"],
    ["second context", "$(SVC)", "svc"],
    ["first context wins", "$(VAR_A)", "A"],
    ["unknown left as is", "$(UNKNOWN)", "$(UNKNOWN)"],
    ["escaped", "$$(VAR_A)", "$(VAR_A)"],
    ["escaped then expanded", "$$$(VAR_A)", "$A"],
    ["double escape", "$$$$(VAR_A)", "$$(VAR_A)"],
    ["lone dollar at the end", "foo$", "foo$"],
    ["dollar before text", "$foo", "$foo"],
    ["unclosed reference", "$(VAR_A", "$(VAR_A"],
    ["unclosed then closed", "$(unclosed$(VAR_A)", "$(unclosed$(VAR_A)"],
    ["empty name", "$()", "$()"],
    ["nested parens", "$(VAR_A)(x)", "A(x)"],
    ["no operator", "plain text", "plain text"],
    ["dollar dollar at end", "x$$", "x$"],
    ["non-ASCII around", "é$(VAR_B)ü", "éBü"],
  ];
  for (const [name, input, want] of cases) test(`${name}: ${input}`, () => assert.equal(expand(input, vars), want));
});
