import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ContainerStatsEntry, ResourceUsage } from "@natslet/contracts";
import { parseMeminfo, parseProcStat } from "./node-stats.js";
import { CpuRates, resourceMetricsText, sumUsage, summarize, type NodeSample } from "./stats.js";

const T0 = 1_700_000_000_000;

function node(timeMs: number, cpuNs: number): NodeSample {
  return {
    timeMs, cpuUsageCoreNanoSeconds: cpuNs, memoryTotalBytes: 8e9, memoryAvailableBytes: 6e9, memoryFreeBytes: 5e9, bootTimeMs: T0 - 3_600_000,
    fs: { capacityBytes: 100, availableBytes: 40, usedBytes: 60 },
  };
}

function usage(timeMs: number, cpuNs: number, ws: number): ResourceUsage {
  return { cpuTimestampMs: timeMs, cpuUsageCoreNanoSeconds: cpuNs, memoryTimestampMs: timeMs, memoryWorkingSetBytes: ws, memoryUsageBytes: ws + 10 };
}

function container(id: string, name: string, u: ResourceUsage, pod = "web"): ContainerStatsEntry {
  return { id, name, podUid: `uid-${pod}`, podName: pod, podNamespace: "default", usage: u };
}

describe("CpuRates", () => {
  test("no rate from one sample; nanocores from two; the same sample repeats its rate", () => {
    const r = new CpuRates();
    assert.equal(r.rate("c", T0, 1e9), undefined);
    assert.equal(r.rate("c", T0 + 1000, 1.5e9), 5e8); // half a core
    assert.equal(r.rate("c", T0 + 1000, 1.5e9), 5e8);
  });
  test("a counter that went backwards (a new container) gives no rate", () => {
    const r = new CpuRates();
    r.rate("c", T0, 5e9);
    assert.equal(r.rate("c", T0 + 1000, 1e9), undefined);
  });
  test("retain forgets the rest", () => {
    const r = new CpuRates();
    r.rate("a", T0, 1);
    r.rate("b", T0, 1);
    r.retain(new Set(["a"]));
    assert.equal(r.size, 1);
  });
});

describe("summarize", () => {
  test("node, pods summed from containers, rates after the second pass", () => {
    const rates = new CpuRates();
    const first = summarize({ nodeName: "n1", node: node(T0, 10e9), containers: [container("c1", "app", usage(T0, 1e9, 100))], pods: [] }, rates);
    assert.equal(first.node.cpu.usageNanoCores, undefined);
    const s = summarize(
      {
        nodeName: "n1",
        node: node(T0 + 2000, 12e9),
        containers: [{ ...container("c1", "app", usage(T0 + 2000, 1.2e9, 200)), startedAt: T0 - 5000 }, container("c2", "side", usage(T0 + 2000, 3e8, 50))],
        pods: [],
      },
      rates,
    );
    assert.equal(s.node.nodeName, "n1");
    assert.equal(s.node.cpu.usageNanoCores, 1e9); // 2 s of CPU in 2 s
    assert.equal(s.node.memory.workingSetBytes, 2e9);
    assert.equal(s.node.memory.availableBytes, 6e9);
    assert.deepEqual(s.node.fs, { time: new Date(T0 + 2000).toISOString(), capacityBytes: 100, availableBytes: 40, usedBytes: 60 });
    assert.equal(s.pods.length, 1);
    const pod = s.pods[0]!;
    assert.deepEqual(pod.podRef, { name: "web", namespace: "default", uid: "uid-web" });
    assert.equal(pod.startTime, new Date(T0 - 5000).toISOString());
    assert.deepEqual(pod.containers.map((c) => c.startTime), [new Date(T0 - 5000).toISOString(), undefined]);
    assert.deepEqual(pod.containers.map((c) => [c.name, c.cpu.usageNanoCores, c.memory.workingSetBytes]), [["app", 1e8, 200], ["side", undefined, 50]]);
    assert.equal(pod.cpu.usageCoreNanoSeconds, 1.5e9);
    assert.equal(pod.memory.workingSetBytes, 250);
  });

  test("sandbox stats win over the sum when the runtime has them", () => {
    const s = summarize(
      {
        nodeName: "n1", node: node(T0, 1),
        containers: [container("c1", "app", usage(T0, 1e9, 100))],
        pods: [{ sandboxId: "sb", podUid: "uid-web", podName: "web", podNamespace: "default", usage: usage(T0, 2e9, 400) }],
      },
      new CpuRates(),
    );
    assert.equal(s.pods[0]!.memory.workingSetBytes, 400);
  });

  test("a runtime-reported usageNanoCores is used as it is", () => {
    const s = summarize(
      { nodeName: "n1", node: node(T0, 1), containers: [container("c1", "app", { ...usage(T0, 1e9, 1), cpuUsageNanoCores: 42 })], pods: [] },
      new CpuRates(),
    );
    assert.equal(s.pods[0]!.containers[0]!.cpu.usageNanoCores, 42);
  });
});

test("sumUsage adds values and keeps the newest times", () => {
  assert.deepEqual(sumUsage([usage(T0, 1, 2), { cpuTimestampMs: T0 + 5, memoryTimestampMs: T0 + 1, memoryRssBytes: 7 }]), {
    cpuTimestampMs: T0 + 5, memoryTimestampMs: T0 + 1, cpuUsageCoreNanoSeconds: 1, memoryWorkingSetBytes: 2, memoryUsageBytes: 12, memoryRssBytes: 7,
  });
});

test("resourceMetricsText: the kubelet's metric names, labels and timestamps", () => {
  const s = summarize(
    { nodeName: "n1", node: node(T0, 5e9), containers: [{ ...container("c1", 'a"b', usage(T0, 2.5e9, 100)), startedAt: T0 }], pods: [] },
    new CpuRates(),
  );
  const text = resourceMetricsText(s, false);
  const samples = text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
  assert.deepEqual(samples, [
    `container_cpu_usage_seconds_total{container="a\\"b",namespace="default",pod="web"} 2.5 ${T0}`,
    `container_memory_working_set_bytes{container="a\\"b",namespace="default",pod="web"} 100 ${T0}`,
    `container_start_time_seconds{container="a\\"b",namespace="default",pod="web"} ${T0 / 1000}`,
    `node_cpu_usage_seconds_total 5 ${T0}`,
    `node_memory_working_set_bytes 2000000000 ${T0}`,
    `pod_cpu_usage_seconds_total{namespace="default",pod="web"} 2.5 ${T0}`,
    `pod_memory_working_set_bytes{namespace="default",pod="web"} 100 ${T0}`,
    "scrape_error 0",
  ]);
  assert.match(text, /# TYPE container_cpu_usage_seconds_total counter/);
});

test("parseProcStat and parseMeminfo", () => {
  const stat = "cpu  100 5 50 1000 20 3 2 1 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\nbtime 1700000000\n";
  assert.deepEqual(parseProcStat(stat), { cpuUsageCoreNanoSeconds: 161 * 1e7, bootTimeMs: 1_700_000_000_000 });
  assert.deepEqual(parseMeminfo("MemTotal:       1000 kB\nMemFree:         200 kB\nMemAvailable:    500 kB\n"), {
    total: 1_024_000, available: 512_000, free: 204_800,
  });
});
