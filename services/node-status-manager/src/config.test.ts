import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NodeConfigError, parseLabels, parseReserved, parseTaints } from "./node-config.js";
import { formatBytes, formatMillicores, parseBytes, parseCpuMillis as parseMillicores } from "@natslet/core";

describe("quantities", () => {
  for (const [text, millis] of [["100m", 100], ["2", 2000], ["0.5", 500], ["1.5", 1500]] as const) {
    it(`cpu ${text} = ${millis}m`, () => assert.equal(parseMillicores(text), millis));
  }
  for (const [text, bytes] of [["256Mi", 256 * 2 ** 20], ["1Gi", 2 ** 30], ["1G", 1e9], ["100k", 1e5], ["512", 512]] as const) {
    it(`memory ${text} = ${bytes}`, () => assert.equal(parseBytes(text), bytes));
  }
  it("rejects what is not a quantity", () => assert.throws(() => parseBytes("lots"), /quantity "lots": not a number/));
  it("formats like the API server", () => {
    assert.deepEqual([formatMillicores(2000), formatMillicores(1900), formatBytes(2048), formatBytes(1000)], ["2", "1900m", "2Ki", "1000"]);
  });
});

describe("NATSLET_NODE_LABELS", () => {
  it("parses k=v pairs, prefixes and empty values", () => {
    assert.deepEqual(parseLabels("L", "a=1, example.com/tier=web,empty="), { a: "1", "example.com/tier": "web", empty: "" });
  });
  const bad: [string, RegExp][] = [
    ["novalue", /must be key=value/],
    ["-a=1", /name part of "-a"/],
    ["Bad_Prefix.com/a=1", /prefix of/],
    ["a=has space", /value "has space"/],
    [`a=${"x".repeat(64)}`, /at most 63/],
  ];
  for (const [text, problem] of bad) {
    it(`rejects ${text.slice(0, 20)}`, () => assert.throws(() => parseLabels("NATSLET_NODE_LABELS", text), (e: unknown) => e instanceof NodeConfigError && /^NATSLET_NODE_LABELS: /.test(e.message) && problem.test(e.message)));
  }
});

describe("NATSLET_NODE_TAINTS", () => {
  it("parses key=value:Effect and key:Effect", () => {
    assert.deepEqual(parseTaints("T", "dedicated=natslet:NoSchedule,example.com/gpu:NoExecute"), [
      { key: "dedicated", value: "natslet", effect: "NoSchedule" },
      { key: "example.com/gpu", effect: "NoExecute" },
    ]);
  });
  const bad: [string, RegExp][] = [
    ["a=b", /must be key=value:Effect/],
    ["a=b:Sometimes", /effect "Sometimes"/],
    ["a:NoSchedule,a:NoSchedule", /given twice/],
    ["=b:NoSchedule", /name part/],
  ];
  for (const [text, problem] of bad) it(`rejects ${text}`, () => assert.throws(() => parseTaints("T", text), problem));
});

describe("reserved resources", () => {
  it("parses cpu, memory, ephemeral-storage and pid", () => {
    assert.deepEqual(parseReserved("R", "cpu=100m,memory=256Mi,ephemeral-storage=1Gi,pid=100"), {
      cpuMillis: 100, memoryBytes: 256 * 2 ** 20, ephemeralStorageBytes: 2 ** 30, pids: 100,
    });
  });
  it("names an unknown resource and a bad quantity", () => {
    assert.throws(() => parseReserved("NATSLET_KUBE_RESERVED", "gpu=1"), /NATSLET_KUBE_RESERVED: unknown resource "gpu"/);
    assert.throws(() => parseReserved("NATSLET_KUBE_RESERVED", "cpu=fast"), /NATSLET_KUBE_RESERVED: quantity "fast": not a number/);
  });
});
