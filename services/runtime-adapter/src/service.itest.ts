// The runtime-adapter against a real nats-server and a real containerd, driven through NATS the
// way the sync-loop drives it: commands by request/reply, events on the runtime event subject.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectBus, ERROR_CODE_HEADER, request } from "@natslet/bus";
import {
  NatsletError, decode, runtimeEventSchema, runtimeMethods, subjects, type Pod, type RuntimeEvent, type RuntimeMethod,
  type RuntimeReply, type RuntimeRequest,
} from "@natslet/contracts";
import { containerConfig, sandboxConfig } from "@natslet/core";
import { CriClient } from "@natslet/cri";
import { createLogger, initTracing } from "@natslet/telemetry";
import { startAll, makeTempDir, removeDir, startContainerd, startNats, type Containerd, type NatsServer } from "@natslet/testkit";
import { Registry } from "prom-client";
import { startRuntimeAdapter, type RuntimeAdapter } from "./service.js";

const NODE = "itest-node";
initTracing("runtime-adapter-itest", {}); // W3C propagation, as in the service; nothing exported

let nats: NatsServer;
let containerd: Containerd;
let serverNc: NatsConnection;
let clientNc: NatsConnection;
let cri: CriClient;
let adapter: RuntimeAdapter;
let logsDir: string;
let rootDir: string;
const registry = new Registry();
const events: { event: RuntimeEvent; traceparent: string }[] = [];

before(async () => {
  [nats, containerd] = await startAll([startNats(), startContainerd()]);
  logsDir = makeTempDir("ra-logs");
  rootDir = makeTempDir("ra-root");
  serverNc = await connectBus({ servers: nats.url, name: "runtime-adapter" });
  clientNc = await connectBus({ servers: nats.url, name: "itest-client" });
  clientNc.subscribe(subjects.runtimeEvents(NODE), {
    callback: (_err, msg) => {
      events.push({ event: decode(runtimeEventSchema, msg.data), traceparent: msg.headers?.get("traceparent") ?? "" });
    },
  });
  cri = await CriClient.connect(containerd.endpoint);
  adapter = startRuntimeAdapter(
    { nodeName: NODE, podLogsDir: logsDir, rootDir, nodeIp: "10.0.0.1", plegPeriodMs: 200 },
    {
      nc: serverNc,
      cri,
      log: createLogger({ service: "runtime-adapter", node: NODE, level: process.env["LOG_LEVEL"] ?? "silent" }),
      registry,
      memoryCapacityBytes: 4 * 1024 ** 3,
    },
  );
});

after(async () => {
  await adapter?.stop();
  await clientNc?.close();
  await serverNc?.close();
  cri?.close();
  await containerd?.stop();
  await nats?.stop();
  if (logsDir) await removeDir(logsDir);
  if (rootDir) await removeDir(rootDir);
});

function call<M extends RuntimeMethod>(method: M, req: RuntimeRequest<M>): Promise<RuntimeReply<M>> {
  const reply = runtimeMethods[method].reply as (input: unknown, path: string) => RuntimeReply<M>;
  return request(clientNc, subjects.runtimeRpc(NODE, method), req, reply, { timeoutMs: 60_000 });
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: Math.round(performance.now() - started) };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function rejectsWith(code: string, pattern: RegExp) {
  return (err: unknown) => err instanceof NatsletError && err.code === code && pattern.test(err.message);
}

function podOf(uid: string, containers: Pod["spec"]["containers"]): Pod {
  return { metadata: { uid, name: "web", namespace: "itest" }, spec: { restartPolicy: "Never", containers } };
}

describe("runtime-adapter over NATS with containerd", () => {
  const uid = randomUUID();
  const busybox = () => containerd.busyboxImage;
  const pod = (): Pod =>
    podOf(uid, [
      // Runs long enough for a 200 ms relist to see it running, then leaves a message and fails.
      { name: "app", image: busybox(), command: ["sh", "-c", "sleep 1; printf bye > /dev/termination-log; exit 3"] },
      {
        name: "logger",
        image: busybox(),
        // stdout and stderr are separate pipes: the pause keeps the log order fixed.
        command: ["sh", "-c", "echo one; sleep 0.2; echo two >&2; exit 1"],
        terminationMessagePolicy: "FallbackToLogsOnError",
      },
      { name: "secretive", image: busybox(), env: [{ name: "PW", valueFrom: { secretKeyRef: { name: "db", key: "pw" } } }] },
      { name: "resumed", image: busybox(), command: ["sleep", "60"] },
    ]);
  let sandboxId = "";
  let podIp = "";
  let appId = "";

  test("RuntimeStatus: containerd's version and its RuntimeReady and NetworkReady conditions", async () => {
    const status = await call("RuntimeStatus", {});
    assert.equal(status.runtimeName, "containerd");
    assert.equal(status.runtimeApiVersion, "v1");
    assert.deepEqual(
      status.conditions.filter((c) => c.type === "RuntimeReady" || c.type === "NetworkReady").map((c) => [c.type, c.status]).sort(),
      [["NetworkReady", true], ["RuntimeReady", true]],
    );
  });

  test("image commands: status, list, a failed pull keeps the registry's message, remove is idempotent, image fs", async () => {
    const status = await call("ImageStatus", { image: busybox() });
    assert.match(status.image?.id ?? "", /^sha256:[0-9a-f]{64}$/);
    assert.ok((status.image?.size ?? 0) > 0);
    assert.deepEqual(await call("ImageStatus", { image: "localhost/natslet/missing:1" }), {});
    const { images } = await call("ListImages", {});
    assert.ok(images.some((i) => i.id === status.image?.id && i.repoTags.includes(busybox())));
    await assert.rejects(call("PullImage", { image: "localhost:1/natslet/missing:1", podUid: uid }), rejectsWith("Unavailable", /localhost:1/));
    assert.deepEqual(await call("RemoveImage", { image: "localhost/natslet/missing:1" }), {});
    const fs = await call("ImageFsInfo", {});
    assert.ok(fs.capacityBytes > 0 && fs.usedBytes > 0 && fs.availableBytes <= fs.capacityBytes, JSON.stringify(fs));
  });

  test("EnsureSandbox twice: one sandbox, with an IP on the pod subnet", async (t) => {
    const first = await timed(() => call("EnsureSandbox", { pod: pod(), attempt: 0 }));
    const second = await timed(() => call("EnsureSandbox", { pod: pod(), attempt: 0 }));
    t.diagnostic(`EnsureSandbox: create ${first.ms} ms, existing ${second.ms} ms`);
    assert.equal(first.value.created, true);
    assert.deepEqual(second.value, { ...first.value, created: false });
    sandboxId = first.value.sandboxId;
    podIp = first.value.ip ?? "";
    const prefix = containerd.podSubnet.split(".").slice(0, 3).join(".") + ".";
    assert.ok(podIp.startsWith(prefix), `pod IP ${podIp} in ${containerd.podSubnet}`);
    assert.equal((await containerd.crictl("pods", "-q")).trim(), sandboxId);
    assert.ok(existsSync(join(logsDir, `itest_web_${uid}`)), "pod log directory made before RunPodSandbox");
    const observed = await call("GetPod", { uid });
    assert.deepEqual(
      observed.sandboxes.map((s) => [s.id, s.state, s.ip, s.attempt, s.hostNetwork]),
      [[sandboxId, "ready", podIp, 0, false]],
      "GetPod reports the IP (from PodSandboxStatus)",
    );
  });

  test("EnsureContainer: runs it; twice gives the same container; GetPod shows the exit and the termination message", async (t) => {
    const req = { pod: pod(), name: "app", attempt: 0, sandboxId, podIps: [podIp] };
    const first = await timed(() => call("EnsureContainer", req));
    const second = await timed(() => call("EnsureContainer", req));
    t.diagnostic(`EnsureContainer: create+start ${first.ms} ms, existing ${second.ms} ms`);
    assert.equal(first.value.created, true);
    assert.deepEqual(second.value, { containerId: first.value.containerId, created: false });
    appId = first.value.containerId;

    const exited = await waitFor("app to exit", async () => {
      const c = (await call("GetPod", { uid })).containers.find((x) => x.id === appId);
      return c?.state === "exited" ? c : undefined;
    });
    assert.equal(exited.exitCode, 3);
    assert.equal(exited.terminationMessage, "bye");
    assert.equal(exited.name, "app");
    assert.equal(exited.sandboxId, sandboxId);
    assert.equal(exited.image, busybox(), "the image as the pod wrote it");
    assert.match(exited.imageRef, /^sha256:/);
    assert.match(exited.specHash, /^[0-9a-f]{8}$/);
    assert.ok(exited.startedAt !== undefined && exited.finishedAt !== undefined && exited.finishedAt - exited.startedAt >= 900);
    assert.deepEqual(await call("EnsureContainer", req), { containerId: appId, created: false }, "an exited one is reported, not re-run");
  });

  test("the PLEG published ContainerStarted and ContainerDied for it, with trace context", async () => {
    const died = await waitFor("ContainerDied", () => events.find((e) => e.event.id === appId && e.event.type === "ContainerDied"));
    const types = events.filter((e) => e.event.id === appId).map((e) => e.event.type);
    // A relist between CreateContainer and StartContainer sees it "created": ContainerChanged first.
    assert.deepEqual(types.filter((t) => t !== "ContainerChanged"), ["ContainerStarted", "ContainerDied"]);
    assert.ok(types.indexOf("ContainerChanged") <= 0, `ContainerChanged only before the start: ${types.join(", ")}`);
    assert.equal(died.event.exitCode, 3);
    assert.equal(died.event.podUid, uid);
    assert.match(died.traceparent, /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    assert.ok(events.some((e) => e.event.type === "SandboxChanged" && e.event.id === sandboxId));
  });

  test("FallbackToLogsOnError: a failed container with no message reports its log tail", async () => {
    const { containerId } = await call("EnsureContainer", { pod: pod(), name: "logger", attempt: 0, sandboxId, podIps: [podIp] });
    const exited = await waitFor("logger to exit", async () => {
      const c = (await call("GetPod", { uid })).containers.find((x) => x.id === containerId);
      return c?.state === "exited" ? c : undefined;
    });
    assert.equal(exited.exitCode, 1);
    assert.equal(exited.terminationMessage, "one\ntwo\n");
  });

  test("an env reference core cannot resolve is CreateContainerConfigError (InvalidInput); nothing is created", async () => {
    await assert.rejects(
      call("EnsureContainer", { pod: pod(), name: "secretive", attempt: 0, sandboxId, podIps: [podIp] }),
      rejectsWith("InvalidInput", /CreateContainerConfigError: /),
    );
    await assert.rejects(
      call("EnsureContainer", { pod: pod(), name: "nosuch", attempt: 0, sandboxId, podIps: [podIp] }),
      rejectsWith("InvalidInput", /no container named nosuch/),
    );
    assert.equal((await call("GetPod", { uid })).containers.length, 2);
  });

  test("a container created but never started (the adapter died in between) is started, not created again", async () => {
    const spec = pod().spec.containers.find((c) => c.name === "resumed");
    assert.ok(spec);
    const imageRef = (await call("ImageStatus", { image: busybox() })).image?.id ?? "";
    const { containerId } = await cri.createContainer({
      podSandboxId: sandboxId,
      config: containerConfig(pod(), spec, { attempt: 0, imageRef, envs: [], memoryCapacityBytes: 4 * 1024 ** 3 }),
      sandboxConfig: sandboxConfig(pod(), { attempt: 0, podLogsRoot: logsDir }),
    });
    const before = (await call("GetPod", { uid })).containers.find((c) => c.id === containerId);
    assert.equal(before?.state, "created");
    assert.deepEqual(await call("EnsureContainer", { pod: pod(), name: "resumed", attempt: 0, sandboxId, podIps: [podIp] }), {
      containerId,
      created: false,
    });
    const after = (await call("GetPod", { uid })).containers.find((c) => c.id === containerId);
    assert.equal(after?.state, "running");
  });

  test("malformed requests get InvalidInput and the service keeps serving", async () => {
    await assert.rejects(call("EnsureSandbox", { pod: 42, attempt: 0 } as unknown as RuntimeRequest<"EnsureSandbox">), rejectsWith("InvalidInput", /pod: expected an object/));
    const raw = await clientNc.request(subjects.runtimeRpc(NODE, "GetPod"), new TextEncoder().encode("{not json"), { timeout: 5000 });
    assert.equal(raw.headers?.get(ERROR_CODE_HEADER), "InvalidInput");
    assert.equal((await call("GetPod", { uid })).uid, uid);
  });

  test("concurrent EnsureSandbox for one (pod, attempt) creates one sandbox", async () => {
    const other = podOf(randomUUID(), [{ name: "x", image: busybox() }]);
    const replies = await Promise.all([0, 1, 2].map(() => call("EnsureSandbox", { pod: other, attempt: 0 })));
    assert.equal(new Set(replies.map((r) => r.sandboxId)).size, 1);
    assert.deepEqual(replies.map((r) => r.created).sort(), [false, false, true]);
    const id = replies[0]?.sandboxId ?? "";
    await call("StopSandbox", { sandboxId: id });
    await call("RemoveSandbox", { sandboxId: id });
  });

  test("StopSandbox + RemoveSandbox: the pod is gone from the runtime and its termination files too; repeats are fine", async () => {
    await call("StopContainer", { containerId: appId, gracePeriodSeconds: 1 });
    await call("StopSandbox", { sandboxId });
    assert.equal((await call("GetPod", { uid })).sandboxes[0]?.state, "notready");
    await call("RemoveSandbox", { sandboxId });
    assert.deepEqual(await call("GetPod", { uid }), { uid, name: "", namespace: "", sandboxes: [], containers: [] });
    assert.equal((await containerd.crictl("pods", "-q")).trim(), "");
    assert.equal((await containerd.crictl("ps", "-a", "-q")).trim(), "");
    assert.equal(existsSync(join(rootDir, "pods", uid)), false);
    // Already gone: still success.
    await call("StopSandbox", { sandboxId });
    await call("RemoveSandbox", { sandboxId });
    await call("StopContainer", { containerId: appId, gracePeriodSeconds: 0 });
    await call("RemoveContainer", { containerId: appId });
    await waitFor("ContainerRemoved", () => events.find((e) => e.event.id === appId && e.event.type === "ContainerRemoved"));
    assert.deepEqual((await call("ListPods", {})).pods, {});
  });

  test("metrics: CRI calls by method, relists, events; readiness", async () => {
    const text = await registry.metrics();
    assert.match(text, /natslet_cri_call_duration_seconds_count\{method="RunPodSandbox"\} [1-9]/);
    assert.match(text, /natslet_cri_call_errors_total\{method="ImageStatus",code="NOT_FOUND"\}|natslet_cri_call_errors_total\{method="PullImage"/);
    assert.match(text, /natslet_pleg_relist_duration_seconds_count [1-9]/);
    assert.match(text, /natslet_pleg_events_total\{type="ContainerDied"\} [1-9]/);
    assert.equal(adapter.criHealthy(), true);
    const logFile = readFileSync(join(logsDir, `itest_web_${uid}`, "app", "0.log"), "utf8");
    assert.equal(logFile, "", "app wrote nothing to stdout");
  });
});
