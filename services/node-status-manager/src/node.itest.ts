// The node-status-manager against real components: nats-server, etcd + kube-apiserver +
// kube-controller-manager (its node lifecycle controller judges our heartbeat), containerd
// behind the real runtime-adapter. Services run as processes so they can be killed.
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { CoordinationV1Api, CoreV1Api, KubeConfig, type V1Node } from "@kubernetes/client-node";
import {
  startAll, makeTempDir, ManagedProcess, removeDir, repoRoot, startContainerd, startControlPlane, startNats, startNatslet,
  type Containerd, type ControlPlane, type Natslet, type NatsServer,
} from "@natslet/testkit";
import { electionLeaseName } from "./service.js";

const NODE = "nsm-itest";
let nats: NatsServer;
let cp: ControlPlane;
let containerd: Containerd;
let natslet: Natslet;
let dir: string;
let core: CoreV1Api;
let coordination: CoordinationV1Api;

const env = {
  LOG_LEVEL: process.env["LOG_LEVEL"] ?? "info",
  NATSLET_NODE_STATUS_UPDATE_MS: "1000",
  NATSLET_NODE_LABELS: "natslet.io/pool=itest",
  NATSLET_NODE_TAINTS: "natslet.io/itest=yes:PreferNoSchedule",
  NATSLET_NODE_IP: "127.0.0.1",
  NATSLET_NODE_API_PORT: "10555",
  NATSLET_MAX_PODS: "42",
  NATSLET_SYSTEM_RESERVED: "cpu=100m,memory=256Mi",
};

before(async () => {
  [nats, cp, containerd] = await startAll([
    startNats(),
    startControlPlane({ controllerManager: true, controllerManagerArgs: ["--node-monitor-grace-period=20s", "--node-monitor-period=2s"] }),
    startContainerd(),
  ]);
  dir = makeTempDir("nsm-itest");
  natslet = await startNatslet({
    natsUrl: nats.url, kubeconfig: cp.kubeconfig, criEndpoint: containerd.endpoint, nodeName: NODE, dir,
    services: ["runtime-adapter", "node-status-manager"], env,
  });
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  coordination = kc.makeApiClient(CoordinationV1Api);
});

after(async () => {
  await natslet?.stop();
  await containerd?.stop();
  await cp?.stop();
  await nats?.stop();
  if (dir) await removeDir(dir);
});

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

const ready = (n: V1Node) => n.status?.conditions?.find((c) => c.type === "Ready");
const node = () => core.readNode({ name: NODE });
const whenReady = (status: string, message?: RegExp) =>
  waitFor(`Ready=${status}`, async () => {
    const n = await node();
    const r = ready(n);
    return r?.status === status && (message === undefined || message.test(r.message ?? "")) ? n : undefined;
  });
const unreachable = (n: V1Node) => (n.spec?.taints ?? []).some((t) => t.key === "node.kubernetes.io/unreachable");

describe("node-status-manager", () => {
  test("registers the Node with labels, taints, addresses, capacity and nodeInfo; Ready with containerd", async (t) => {
    const started = Date.now();
    const n = await whenReady("True", /^natslet is posting ready status$/);
    t.diagnostic(`Ready=True ${Date.now() - started} ms after the services were up`);
    const labels = n.metadata?.labels ?? {};
    assert.equal(labels["kubernetes.io/hostname"], NODE);
    assert.equal(labels["kubernetes.io/os"], "linux");
    assert.equal(labels["kubernetes.io/arch"], process.arch === "x64" ? "amd64" : process.arch);
    assert.equal(labels["natslet.io/pool"], "itest");
    // The controller's node.kubernetes.io/not-ready taint may still be there until it sees Ready.
    assert.deepEqual(n.spec?.taints?.filter((x) => x.key.startsWith("natslet.io/")).map((x) => [x.key, x.value, x.effect]), [["natslet.io/itest", "yes", "PreferNoSchedule"]]);
    assert.deepEqual(n.status?.addresses?.map((a) => [a.type, a.address]), [["InternalIP", "127.0.0.1"], ["Hostname", NODE]]);
    assert.equal(n.status?.daemonEndpoints?.kubeletEndpoint?.Port, 10555);
    assert.equal(n.status?.capacity?.["pods"], "42");
    assert.match(n.status?.capacity?.["memory"] ?? "", /^\d+Ki$/);
    assert.ok(Number(n.status?.capacity?.["cpu"]) >= 1);
    assert.match(n.status?.allocatable?.["cpu"] ?? "", /^\d+m$/, "100m system-reserved");
    assert.ok(n.status?.capacity?.["ephemeral-storage"]);
    const info = n.status?.nodeInfo;
    assert.match(info?.containerRuntimeVersion ?? "", /^containerd:\/\/\S+/);
    assert.equal(info?.kubeletVersion, "v1.35.4-natslet");
    assert.equal(info?.operatingSystem, "linux");
    assert.ok(info?.bootID && info.machineID && info.kernelVersion && info.osImage);
    assert.deepEqual(n.status?.conditions?.map((c) => [c.type, c.status, c.reason]), [
      ["MemoryPressure", "False", "KubeletHasSufficientMemory"],
      ["DiskPressure", "False", "KubeletHasNoDiskPressure"],
      ["PIDPressure", "False", "KubeletHasSufficientPID"],
      ["Ready", "True", "KubeletReady"],
    ]);
  });

  test("the node Lease is held by the node, owned by it, and renewed every 10 s", async (t) => {
    const read = () => coordination.readNamespacedLease({ name: NODE, namespace: "kube-node-lease" });
    const first = await read();
    assert.equal(first.spec?.holderIdentity, NODE);
    assert.equal(first.spec?.leaseDurationSeconds, 40);
    assert.deepEqual(first.metadata?.ownerReferences?.map((o) => [o.kind, o.name]), [["Node", NODE]]);
    const t0 = String(first.spec?.renewTime);
    const started = Date.now();
    const renewed = await waitFor("a renewal", async () => {
      const l = await read();
      return String(l.spec?.renewTime) !== t0 ? l : undefined;
    }, 15_000);
    t.diagnostic(`renewTime advanced after ${Date.now() - started} ms: ${t0} → ${String(renewed.spec?.renewTime)}`);
  });

  test("containerd stopped: Ready False naming the runtime; started: Ready again", async (t) => {
    await containerd.stopDaemon();
    let started = Date.now();
    const down = await whenReady("False");
    t.diagnostic(`Ready=False after ${Date.now() - started} ms: ${ready(down)?.message}`);
    assert.equal(ready(down)?.reason, "KubeletNotReady");
    assert.match(ready(down)?.message ?? "", /container runtime/);
    await containerd.startDaemon();
    started = Date.now();
    const back = await whenReady("True");
    t.diagnostic(`Ready=True again after ${Date.now() - started} ms`);
    assert.notEqual(ready(back)?.lastTransitionTime?.toString(), ready(down)?.lastTransitionTime?.toString());
  });

  test("node-status-manager down: the controller marks the node Unknown and unreachable; back: Ready, taint gone", async (t) => {
    await natslet.kill("node-status-manager");
    let started = Date.now();
    await waitFor("Unknown + unreachable taint", async () => {
      const n = await node();
      return ready(n)?.status === "Unknown" && unreachable(n) ? n : undefined;
    }, 90_000);
    t.diagnostic(`Unknown + node.kubernetes.io/unreachable ${Date.now() - started} ms after the kill`);
    // The killed leader's election lease must expire first (15 s): a restarted replica has a new identity.
    await natslet.start("node-status-manager");
    started = Date.now();
    await waitFor("Ready + no unreachable taint", async () => {
      const n = await node();
      return ready(n)?.status === "True" && !unreachable(n) ? n : undefined;
    }, 90_000);
    t.diagnostic(`Ready=True and taint removed ${Date.now() - started} ms after the restart`);
  });

  test("two replicas: one leader; kill it, the other takes over within a lease period", async (t) => {
    await natslet.process("node-status-manager").stop(); // graceful: releases the election lease
    const main = join(repoRoot, "services", "node-status-manager", "dist", "main.js");
    const baseEnv = {
      ...process.env, ...env, NATS_URL: nats.url, KUBECONFIG: cp.kubeconfig, NATSLET_NODE_NAME: NODE, NATSLET_HEALTH_PORT: "0", NATSLET_ROOT_DIR: dir,
    };
    const replicas = new Map(
      ["replica-a", "replica-b"].map((id) => [id, ManagedProcess.start(id, process.execPath, [main], { logFile: join(dir, `${id}.log`), env: { ...baseEnv, NATSLET_REPLICA_ID: id } })]),
    );
    try {
      const holder = () =>
        coordination.readNamespacedLease({ name: electionLeaseName(NODE), namespace: "kube-node-lease" }).then((l) => l.spec?.holderIdentity ?? "");
      const leader = await waitFor("a leader", async () => {
        const h = await holder();
        return replicas.has(h) ? h : undefined;
      });
      const other = [...replicas.keys()].find((id) => id !== leader) ?? "";
      // The follower keeps following while the leader renews.
      await sleep(6_000);
      assert.equal(await holder(), leader);
      await replicas.get(leader)?.kill();
      const started = Date.now();
      await waitFor("takeover", async () => ((await holder()) === other ? true : undefined), 30_000);
      const ms = Date.now() - started;
      t.diagnostic(`${other} took over ${ms} ms after ${leader} was killed (lease 15 s, follower retry 2 s)`);
      // Expiry counts from when the follower saw the last renewal (up to one retry late) and
      // is noticed at its next retry: at most lease + 2 retries after the leader's last renewal.
      assert.ok(ms <= 15_000 + 2 * 2_000 + 1_000, `takeover in ${ms} ms`);
      const n = await whenReady("True");
      assert.equal(ready(n)?.status, "True");
    } finally {
      for (const p of replicas.values()) await p.stop();
    }
  });
});
