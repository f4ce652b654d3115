// The volume-manager against a real nats-server and a real kube-apiserver: driven by Setup /
// Teardown requests and the pod stream as the sync-loop and watcher drive it; checked on the
// real file system and /proc/self/mountinfo.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { execFileSync } from "node:child_process";
import { closeSync, constants as fsConstants, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, readlinkSync, realpathSync, statSync, symlinkSync, writeFileSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { request as httpsRequest, type RequestOptions } from "node:https";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectBus, decodeJson, publishLatest, request, serve } from "@natslet/bus";
import {
  eventMessageSchema, evictionMessageSchema, hasErrorCode, NatsletError, runtimeMethods, subjects, volumeMethods, type EventMessage,
  type EvictionMessage, type Pod, type VolumeSetupReply,
} from "@natslet/contracts";
import { writeAtomically } from "./atomic-writer.js";
import type { Payload } from "./payload.js";
import { loadKubeConfig } from "@natslet/kube";
import { createLogger } from "@natslet/telemetry";
import { startAll, makeTempDir, removeDir, startControlPlane, startNats, type ControlPlane, type NatsServer } from "@natslet/testkit";
import { Registry } from "prom-client";
import { mountTmpfs, readMounts, unmountAllBelow } from "./mounter.js";
import { mountsBelow } from "./mountinfo.js";
import { PodVolumes } from "./pod-volumes.js";
import { startVolumeManager, type VolumeManager } from "./service.js";
import { volumeManagerSettings } from "./settings.js";
import { SourceReader } from "./sources.js";

const NODE = "vm-itest";
let nats: NatsServer;
let cp: ControlPlane;
let nc: NatsConnection;
let serverNc: NatsConnection;
let kc: KubeConfig;
let core: CoreV1Api;
let rootDir: string;
let hostDir: string;
let manager: VolumeManager | undefined;
const events: EventMessage[] = [];
/**
 * The runtime-adapter's GetPod, stood in for on the real nats-server (this test runs no
 * containerd): which pods "still run", and for which pods the runtime cannot answer.
 */
const runningPods = new Set<string>();
const runtimeFails = new Set<string>();
const NODE2 = "vm-itest-2";
let rootDir2: string;

const startManager = async () => {
  const settings = volumeManagerSettings({ NATSLET_NODE_NAME: NODE, NATS_URL: nats.url, NATSLET_ROOT_DIR: rootDir, NATSLET_VOLUME_RESYNC_MS: "300" });
  manager = await startVolumeManager(settings, {
    nc: serverNc,
    kc,
    log: createLogger({ service: "volume-manager", node: NODE, level: process.env["LOG_LEVEL"] ?? "silent" }),
    registry: new Registry(),
  });
  await manager.caughtUp;
};

before(async () => {
  [nats, cp] = await startAll([startNats(), startControlPlane({})]);
  rootDir = makeTempDir("vm-root");
  hostDir = makeTempDir("vm-host");
  kc = loadKubeConfig({ KUBECONFIG: cp.kubeconfig });
  core = kc.makeApiClient(CoreV1Api);
  nc = await connectBus({ servers: nats.url, name: "itest-client" });
  serverNc = await connectBus({ servers: nats.url, name: "volume-manager" });
  nc.subscribe(subjects.events(NODE), { callback: (_e, msg) => void events.push(decodeJson(eventMessageSchema, msg.data)) });
  rootDir2 = makeTempDir("vm-root2");
  for (const node of [NODE, NODE2]) {
    serve(nc, { subject: subjects.runtimeRpc(node, "GetPod"), queue: "runtime-stand-in", request: runtimeMethods.GetPod.request }, ({ uid }) => {
      if (runtimeFails.has(uid)) throw new NatsletError("Unavailable", "CRI is down");
      const running = runningPods.has(uid);
      return {
        uid,
        name: "",
        namespace: "",
        sandboxes: running ? [{ id: "sb1", attempt: 0, state: "ready" as const, createdAt: 0 }] : [],
        containers: [],
      };
    });
  }
  await core.createNamespacedServiceAccount({ namespace: "default", body: { metadata: { name: "default" } } });
  await startManager();
});

after(async () => {
  await manager?.stop();
  await nc?.close();
  await serverNc?.close();
  // Whatever a failed test left mounted must not outlive it.
  for (const point of mountsBelow(await readMounts(), rootDir)) await import("./mounter.js").then((m) => m.unmount(point).catch(() => undefined));
  if (rootDir2) await unmountAllBelow(rootDir2).catch(() => undefined);
  await cp?.stop();
  await nats?.stop();
  if (rootDir) await removeDir(rootDir);
  if (hostDir) await removeDir(hostDir);
  if (rootDir2) await removeDir(rootDir2);
});

function podOf(volumes: Record<string, unknown>[], volumeMounts: NonNullable<Pod["spec"]["containers"][number]["volumeMounts"]>, over: Partial<Pod> = {}): Pod {
  return {
    metadata: { uid: randomUUID(), name: `p-${randomUUID().slice(0, 8)}`, namespace: "default" },
    spec: { nodeName: NODE, containers: [{ name: "app", image: "busybox", volumeMounts }], volumes },
    ...over,
  };
}

const setup = (pod: Pod): Promise<VolumeSetupReply> =>
  request(nc, subjects.volumeRpc(NODE, "Setup"), { pod }, volumeMethods.Setup.reply, { timeoutMs: 30_000 });
const teardown = (uid: string) => request(nc, subjects.volumeRpc(NODE, "Teardown"), { uid }, volumeMethods.Teardown.reply, { timeoutMs: 30_000 });
const ready = async (pod: Pod) => {
  const reply = await setup(pod);
  assert.equal(reply.kind, "ready", JSON.stringify(reply));
  return reply.kind === "ready" ? reply.mounts : {};
};
const fsTypeAt = async (path: string) => (await readMounts()).filter((m) => m.mountPoint === path).at(-1)?.fsType;
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
const createConfigMap = (name: string, data: Record<string, string>) => core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name }, data } });

describe("configMap and secret volumes", () => {
  test("configMap items with modes, through the atomic writer's layout, mounted read-only", async () => {
    await createConfigMap("cm1", { a: "alpha", b: "beta", c: "gamma" });
    const pod = podOf(
      [{ name: "cfg", configMap: { name: "cm1", defaultMode: 0o600, items: [{ key: "a", path: "dir/a.txt" }, { key: "b", path: "b.txt", mode: 0o444 }] } }],
      [{ name: "cfg", mountPath: "/etc/cfg" }],
    );
    const mounts = await ready(pod);
    const dir = join(rootDir, "pods", pod.metadata.uid, "volumes", "kubernetes.io~configmap", "cfg");
    assert.deepEqual(mounts["app"], [{ containerPath: "/etc/cfg", hostPath: dir, readonly: true, propagation: "PROPAGATION_PRIVATE" }]);
    assert.equal(readFileSync(join(dir, "dir/a.txt"), "utf8"), "alpha");
    assert.equal(readFileSync(join(dir, "b.txt"), "utf8"), "beta");
    assert.equal(existsSync(join(dir, "c")), false, "only the listed items");
    assert.equal(mode(join(dir, "dir/a.txt")), "600");
    assert.equal(mode(join(dir, "b.txt")), "444");
    assert.match(readlinkSync(join(dir, "..data")), /^\.\.\d{4}_\d\d_\d\d_\d\d_\d\d_\d\d\./);
    assert.equal(readlinkSync(join(dir, "b.txt")), "..data/b.txt");
    // configMaps are not secret: on the node's disk, not tmpfs (as the kubelet does).
    assert.equal(await fsTypeAt(dir), undefined);
    // Idempotent: the same mounts again, nothing rewritten.
    const before = readlinkSync(join(dir, "..data"));
    assert.deepEqual(await ready(pod), mounts);
    assert.equal(readlinkSync(join(dir, "..data")), before);
    await teardown(pod.metadata.uid);
  });

  test("a secret lives on tmpfs with the requested modes", async () => {
    await core.createNamespacedSecret({ namespace: "default", body: { metadata: { name: "s1" }, stringData: { password: "hunter2", user: "root" } } });
    const pod = podOf([{ name: "sec", secret: { secretName: "s1", defaultMode: 0o400 } }], [{ name: "sec", mountPath: "/secret" }]);
    await ready(pod);
    const dir = join(rootDir, "pods", pod.metadata.uid, "volumes", "kubernetes.io~secret", "sec");
    assert.equal(await fsTypeAt(dir), "tmpfs");
    assert.equal(readFileSync(join(dir, "password"), "utf8"), "hunter2");
    assert.equal(mode(join(dir, "password")), "400");
    assert.equal(realpathSync(join(dir, "user")).startsWith(dir), true);
    await teardown(pod.metadata.uid);
    assert.equal(await fsTypeAt(dir), undefined);
  });

  test("a missing configMap: a clear reason and an Event, the pod waits, then proceeds once it exists", async () => {
    const pod = podOf([{ name: "cfg", configMap: { name: "late-cm" } }], [{ name: "cfg", mountPath: "/cfg" }]);
    const reply = await setup(pod);
    assert.deepEqual(reply, {
      kind: "failed",
      volume: "cfg",
      reason: "FailedMount",
      message: 'MountVolume.SetUp failed for volume "cfg" : configmap "late-cm" not found',
      retryable: true,
    });
    await waitFor(() => events.some((e) => e.involved.uid === pod.metadata.uid && e.reason === "FailedMount" && e.type === "Warning"), "FailedMount Event");
    assert.equal(existsSync(join(rootDir, "pods", pod.metadata.uid, "volumes", "kubernetes.io~configmap", "cfg")), false, "nothing half-made");
    // optional: the pod starts with an empty volume instead
    const optional = podOf([{ name: "cfg", configMap: { name: "late-cm", optional: true } }], [{ name: "cfg", mountPath: "/cfg" }]);
    await ready(optional);
    await createConfigMap("late-cm", { k: "v" });
    await ready(pod);
    await teardown(pod.metadata.uid);
    await teardown(optional.metadata.uid);
  });

  test("a missing key and an unsupported volume type are reasons, not crashes", async () => {
    await createConfigMap("cm-keys", { present: "1" });
    const missingKey = podOf([{ name: "cfg", configMap: { name: "cm-keys", items: [{ key: "absent", path: "x" }] } }], []);
    const r1 = await setup(missingKey);
    assert.equal(r1.kind === "failed" && r1.message, 'MountVolume.SetUp failed for volume "cfg" : configmap references non-existent config key: absent');
    const nfs = podOf([{ name: "share", nfs: { server: "10.0.0.9", path: "/exports" } }], [{ name: "share", mountPath: "/share" }]);
    const r2 = await setup(nfs);
    assert.deepEqual(r2.kind === "failed" && [r2.message, r2.retryable], ['MountVolume.SetUp failed for volume "share" : unsupported volume type "nfs"', false]);
  });
});

describe("live updates", () => {
  test("a changed ConfigMap reaches the files atomically: a reader never sees a mix", async () => {
    const big = (v: number) => `${v}:`.padEnd(256 * 1024, String(v % 10));
    await createConfigMap("live", { a: "0", b: "0", big: big(0) });
    const pod = podOf([{ name: "cfg", configMap: { name: "live" } }], [{ name: "cfg", mountPath: "/cfg" }, { name: "cfg", mountPath: "/a", subPath: "a" }]);
    const mounts = await ready(pod);
    const subPathFile = mounts["app"]?.[1]?.hostPath ?? "";
    const dir = join(rootDir, "pods", pod.metadata.uid, "volumes", "kubernetes.io~configmap", "cfg");
    let reads = 0;
    let stop = false;
    const seen = new Set<string>();
    // A reader that resolves ..data once per read, as a process holding the mount sees it.
    const reader = (async () => {
      while (!stop) {
        let version: string;
        try {
          version = realpathSync(join(dir, "..data"));
          const a = readFileSync(join(version, "a"), "utf8");
          const b = readFileSync(join(version, "b"), "utf8");
          const c = readFileSync(join(version, "big"), "utf8");
          assert.equal(a, b, "a and b from one version");
          assert.equal(c, big(Number(a)), "big complete and of the same version");
          seen.add(a);
          reads++;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err; // the old version was removed under us: read again
        }
        await sleep(1);
      }
    })();
    for (let v = 1; v <= 5; v++) {
      await core.replaceNamespacedConfigMap({ name: "live", namespace: "default", body: { metadata: { name: "live" }, data: { a: String(v), b: String(v), big: big(v) } } });
      // The resync (300 ms here) picks it up without any Setup call.
      await waitFor(() => readFileSync(join(dir, "a"), "utf8") === String(v), `version ${v} in the volume`);
      await waitFor(() => seen.has(String(v)), `reader saw version ${v}`);
    }
    stop = true;
    await reader;
    assert.ok(reads > 10, `reader ran (${reads} reads)`);
    assert.ok(seen.size >= 5, `reader saw every version: ${[...seen].join(",")}`);
    // A subPath mount keeps the version it was bound to (as in Kubernetes).
    assert.equal(readFileSync(subPathFile, "utf8"), "0");
    // Exactly one version dir is left (the old one goes right after the swap the reader saw).
    await waitFor(() => readdirSync(dir).filter((n) => n.startsWith("..") && n !== "..data").length === 1, "one version dir left", 5_000);
    await teardown(pod.metadata.uid);
  });
});

describe("subPath safety", () => {
  test("symlinks out of the volume and '..' are refused; a symlink inside is fine", async () => {
    const vol = join(hostDir, "attack");
    mkdirSync(join(vol, "inside"), { recursive: true });
    writeFileSync(join(vol, "inside", "f"), "ok");
    symlinkSync("/", join(vol, "root"));
    symlinkSync("../../../../../../../../etc", join(vol, "rel"));
    symlinkSync("inside", join(vol, "alias"));
    const volumes = [{ name: "v", hostPath: { path: vol, type: "Directory" } }];
    const attempts: Array<[string, RegExp]> = [
      ["root", /not within volume path/],
      ["rel/passwd", /not within volume path/],
      ["../", /must not contain '\.\.'/],
      ["inside/../../etc", /must not contain '\.\.'/],
      ["/etc", /must be a relative path/],
    ];
    for (const [subPath, want] of attempts) {
      const reply = await setup(podOf(volumes, [{ name: "v", mountPath: "/x", subPath }]));
      assert.equal(reply.kind, "failed", subPath);
      assert.match(reply.kind === "failed" ? reply.message : "", want, subPath);
    }
    const good = podOf(volumes, [{ name: "v", mountPath: "/x", subPath: "alias" }, { name: "v", mountPath: "/new", subPath: "created/deep" }]);
    const mounts = await ready(good);
    const bind = mounts["app"]?.[0]?.hostPath ?? "";
    assert.equal(bind, join(rootDir, "pods", good.metadata.uid, "volume-subpaths", "v", "app", "0"));
    assert.equal(readFileSync(join(bind, "f"), "utf8"), "ok");
    assert.ok(statSync(join(vol, "created", "deep")).isDirectory(), "a missing subPath dir is created in the volume");
    await teardown(good.metadata.uid);
    assert.ok(existsSync(join(vol, "inside", "f")), "teardown never deletes volume contents");
  });

  test("CVE-2021-25741: swapping the subPath for a symlink after setup does not redirect the bind", async () => {
    const vol = join(hostDir, "swap");
    mkdirSync(join(vol, "data"), { recursive: true });
    writeFileSync(join(vol, "data", "mine"), "mine");
    const pod = podOf([{ name: "v", hostPath: { path: vol } }], [{ name: "v", mountPath: "/d", subPath: "data" }]);
    const mounts = await ready(pod);
    const bind = mounts["app"]?.[0]?.hostPath ?? "";
    // The container (or a co-tenant) swaps the dir for a link to the host's /etc.
    renameSync(join(vol, "data"), join(vol, "old"));
    symlinkSync("/etc", join(vol, "data"));
    assert.equal(readFileSync(join(bind, "mine"), "utf8"), "mine", "the bind still shows the checked dir");
    assert.equal(existsSync(join(bind, "passwd")), false);
    // A new Setup (container restart) keeps the existing bind; a fresh pod is refused.
    await ready(pod);
    assert.equal(existsSync(join(bind, "passwd")), false);
    const fresh = await setup(podOf([{ name: "v", hostPath: { path: vol } }], [{ name: "v", mountPath: "/d", subPath: "data" }]));
    assert.match(fresh.kind === "failed" ? fresh.message : "", /not within volume path/);
    await teardown(pod.metadata.uid);
    rmSync(join(vol, "data"));
  });
});

describe("subPath timing", () => {
  test("subPaths are resolved when their container starts: an init container can create the file a later one mounts", async () => {
    const pod: Pod = {
      metadata: { uid: randomUUID(), name: "initpod", namespace: "default" },
      spec: {
        initContainers: [{ name: "init", image: "busybox", volumeMounts: [{ name: "work", mountPath: "/work" }] }],
        containers: [{ name: "app", image: "busybox", volumeMounts: [{ name: "work", mountPath: "/etc/app.conf", subPath: "conf/app.conf" }] }],
        volumes: [{ name: "work", emptyDir: {} }],
      },
    };
    const ask = (containers: string[]) =>
      request(nc, subjects.volumeRpc(NODE, "Setup"), { pod, containers }, volumeMethods.Setup.reply, { timeoutMs: 30_000 });
    const first = await ask(["init"]);
    assert.deepEqual(first.kind === "ready" && Object.keys(first.mounts), ["init"], "only the init container's mounts");
    const volume = join(rootDir, "pods", pod.metadata.uid, "volumes", "kubernetes.io~empty-dir", "work");
    assert.equal(existsSync(join(volume, "conf")), false, "the app's subPath is not made before its container starts");
    // What the init container does:
    mkdirSync(join(volume, "conf"));
    writeFileSync(join(volume, "conf", "app.conf"), "port=8080");
    const second = await ask(["app"]);
    const bind = second.kind === "ready" ? second.mounts["app"]?.[0]?.hostPath ?? "" : "";
    assert.ok(statSync(bind).isFile(), "bound as a file");
    assert.equal(readFileSync(bind, "utf8"), "port=8080");
    await teardown(pod.metadata.uid);
  });
});

describe("hostPath", () => {
  test("type checks and the allow-list", async () => {
    const volumes = new PodVolumes({
      rootDir,
      sources: new SourceReader(kc),
      hostPathAllow: [join(hostDir, "allowed")],
      downward: { hostIp: "10.0.0.1", nodeName: NODE },
    });
    const pod = (path: string, type?: string) => podOf([{ name: "h", hostPath: { path, ...(type !== undefined ? { type } : {}) } }], [{ name: "h", mountPath: "/h" }]);
    const denied = await volumes.setup(pod("/etc"), []);
    assert.match(denied.kind === "failed" ? denied.message : "", /hostPath "\/etc" is not allowed on this node/);
    const escape = await volumes.setup(pod(join(hostDir, "allowed", "..", "x")), []);
    assert.equal(escape.kind, "failed");
    const created = await volumes.setup(pod(join(hostDir, "allowed", "new-dir"), "DirectoryOrCreate"), []);
    assert.equal(created.kind, "ready");
    assert.ok(statSync(join(hostDir, "allowed", "new-dir")).isDirectory());
    const file = await volumes.setup(pod(join(hostDir, "allowed", "f"), "FileOrCreate"), []);
    assert.equal(file.kind, "ready");
    assert.ok(statSync(join(hostDir, "allowed", "f")).isFile());
    const notDir = await volumes.setup(pod(join(hostDir, "allowed", "f"), "Directory"), []);
    assert.match(notDir.kind === "failed" ? notDir.message : "", /hostPath type check failed: .*\/allowed\/f is not a directory/);
    const noSocket = await volumes.setup(pod(join(hostDir, "allowed", "f"), "Socket"), []);
    assert.match(noSocket.kind === "failed" ? noSocket.message : "", /is not a socket file/);
    const chr = await volumes.setup(podOf([{ name: "h", hostPath: { path: "/dev/null", type: "CharDevice" } }], []), []);
    assert.match(chr.kind === "failed" ? chr.message : "", /not allowed/, "the allow-list applies before the type");
  });
});

describe("emptyDir, downwardAPI and projected tokens", () => {
  test("emptyDir on disk and in memory with a size limit; downward API on tmpfs; a bound token", async () => {
    const created = await core.createNamespacedPod({
      namespace: "default",
      body: { metadata: { name: "tokenpod", labels: { app: "t" } }, spec: { nodeName: NODE, serviceAccountName: "default", containers: [{ name: "app", image: "busybox", resources: { limits: { memory: "32Mi" } } }] } },
    });
    const pod: Pod = {
      metadata: { uid: created.metadata?.uid ?? "", name: "tokenpod", namespace: "default", labels: { app: "t" } },
      spec: {
        nodeName: NODE,
        // Set by the ServiceAccount admission plugin in a full cluster; this control plane runs without it.
        serviceAccountName: "default",
        containers: [{ name: "app", image: "busybox", resources: { limits: { memory: "32Mi" } }, volumeMounts: [] }],
        volumes: [
          { name: "disk", emptyDir: {} },
          { name: "mem", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
          { name: "info", downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }, { path: "mem", resourceFieldRef: { containerName: "app", resource: "limits.memory", divisor: "1Mi" } }] } },
          { name: "tok", projected: { sources: [{ serviceAccountToken: { path: "token", expirationSeconds: 600, audience: "natslet-test" } }, { downwardAPI: { items: [{ path: "name", fieldRef: { fieldPath: "metadata.name" } }] } }] } },
        ],
      },
    };
    await ready(pod);
    const base = join(rootDir, "pods", pod.metadata.uid, "volumes");
    assert.equal(mode(join(base, "kubernetes.io~empty-dir", "disk")), "777");
    assert.equal(await fsTypeAt(join(base, "kubernetes.io~empty-dir", "disk")), undefined);
    const mem = (await readMounts()).find((m) => m.mountPoint === join(base, "kubernetes.io~empty-dir", "mem"));
    assert.equal(mem?.fsType, "tmpfs");
    assert.match(readFileSync("/proc/self/mountinfo", "utf8"), /size=1024k/);
    assert.equal(readFileSync(join(base, "kubernetes.io~downward-api", "info", "labels"), "utf8"), 'app="t"');
    assert.equal(readFileSync(join(base, "kubernetes.io~downward-api", "info", "mem"), "utf8"), "32");
    assert.equal(await fsTypeAt(join(base, "kubernetes.io~downward-api", "info")), "tmpfs");
    const tokDir = join(base, "kubernetes.io~projected", "tok");
    assert.equal(await fsTypeAt(tokDir), "tmpfs");
    const token = readFileSync(join(tokDir, "token"), "utf8");
    const claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as { aud: string[]; exp: number; iat: number; "kubernetes.io": { pod: { uid: string } } };
    assert.deepEqual(claims.aud, ["natslet-test"]);
    assert.equal(claims["kubernetes.io"].pod.uid, pod.metadata.uid, "bound to the pod");
    assert.equal(claims.exp - claims.iat, 600);
    assert.equal(readFileSync(join(tokDir, "name"), "utf8"), "tokenpod");
    const tokenMode = mode(join(tokDir, "token"));
    assert.equal(tokenMode, "644");
    await teardown(pod.metadata.uid);
    assert.equal(existsSync(join(rootDir, "pods", pod.metadata.uid)), false);
    assert.deepEqual(mountsBelow(await readMounts(), join(rootDir, "pods", pod.metadata.uid)), []);
  });
});

describe("renewals and limits", () => {
  test("a projected token is renewed once 80% of its lifetime has passed", async () => {
    const created = await core.createNamespacedPod({
      namespace: "default",
      body: { metadata: { name: "renewpod" }, spec: { nodeName: NODE, serviceAccountName: "default", containers: [{ name: "app", image: "busybox" }] } },
    });
    let now = Date.now();
    // rootDir2: no manager watches it here, so its periodic orphan scan cannot interfere.
    const volumes = new PodVolumes({ rootDir: rootDir2, sources: new SourceReader(kc, () => now), hostPathAllow: [], downward: { hostIp: "10.0.0.1", nodeName: NODE } });
    const pod: Pod = {
      metadata: { uid: created.metadata?.uid ?? "", name: "renewpod", namespace: "default" },
      spec: { nodeName: NODE, serviceAccountName: "default", containers: [{ name: "app", image: "busybox" }], volumes: [{ name: "tok", projected: { sources: [{ serviceAccountToken: { path: "token", expirationSeconds: 600 } }] } }] },
    };
    const file = join(rootDir2, "pods", pod.metadata.uid, "volumes", "kubernetes.io~projected", "tok", "token");
    assert.equal((await volumes.setup(pod, [])).kind, "ready");
    const first = readFileSync(file, "utf8");
    now += 470_000; // 78%: still fresh
    await volumes.setup(pod, []);
    assert.equal(readFileSync(file, "utf8"), first, "no renewal before 80%");
    await sleep(1100); // a new token needs a new iat (seconds)
    now += 15_000; // 80.8%
    const renewed = await volumes.setup(pod, []);
    assert.deepEqual(renewed.kind === "ready" && renewed.updated, ["tok"]);
    assert.notEqual(readFileSync(file, "utf8"), first, "renewed");
    await volumes.teardown(pod.metadata.uid);
  });

  test("a disk emptyDir above its sizeLimit asks for the pod's eviction with the kubelet's message, again while it stays over", async () => {
    const evictions: EvictionMessage[] = [];
    const sub = nc.subscribe(subjects.evictions(NODE), { callback: (_e, msg) => void evictions.push(decodeJson(evictionMessageSchema, msg.data)) });
    const pod = podOf([{ name: "scratch", emptyDir: { sizeLimit: "8Ki" } }], [{ name: "scratch", mountPath: "/s" }]);
    await ready(pod);
    const dir = join(rootDir, "pods", pod.metadata.uid, "volumes", "kubernetes.io~empty-dir", "scratch");
    writeFileSync(join(dir, "small"), Buffer.alloc(4 * 1024));
    await sleep(1_000); // a few resyncs under the limit: nothing asked
    assert.equal(evictions.length, 0);
    writeFileSync(join(dir, "big"), Buffer.alloc(64 * 1024));
    const mine = () => evictions.filter((e) => e.uid === pod.metadata.uid);
    await waitFor(() => mine().length >= 2, "two eviction requests (level-triggered)");
    assert.deepEqual(mine()[0], { uid: pod.metadata.uid, message: 'Usage of EmptyDir volume "scratch" exceeds the limit "8Ki". ' });
    sub.unsubscribe();
    await teardown(pod.metadata.uid);
  });
});

describe("lifecycle from the pod stream", () => {
  test("set up eagerly from the stream, torn down by the tombstone", async () => {
    const js = jetstream(nc);
    const pod = podOf([{ name: "s", emptyDir: { medium: "Memory" } }], [{ name: "s", mountPath: "/s" }]);
    const dir = join(rootDir, "pods", pod.metadata.uid, "volumes", "kubernetes.io~empty-dir", "s");
    await publishLatest(js, subjects.pod(NODE, pod.metadata.uid), { kind: "upsert", pod });
    await waitFor(async () => (await fsTypeAt(dir)) === "tmpfs", "tmpfs from the stream");
    await publishLatest(js, subjects.pod(NODE, pod.metadata.uid), { kind: "deleted", uid: pod.metadata.uid, namespace: "default", name: pod.metadata.name });
    await waitFor(() => !existsSync(join(rootDir, "pods", pod.metadata.uid)), "pod dir removed");
    assert.deepEqual(mountsBelow(await readMounts(), join(rootDir, "pods", pod.metadata.uid)), []);
  });

  test("after a restart: orphaned pod dirs (with mounts) are removed, wanted ones kept", async () => {
    const js = jetstream(nc);
    const wanted = podOf([{ name: "s", emptyDir: { medium: "Memory" } }], [{ name: "s", mountPath: "/s" }]);
    await publishLatest(js, subjects.pod(NODE, wanted.metadata.uid), { kind: "upsert", pod: wanted });
    const wantedDir = join(rootDir, "pods", wanted.metadata.uid, "volumes", "kubernetes.io~empty-dir", "s");
    await waitFor(async () => (await fsTypeAt(wantedDir)) === "tmpfs", "wanted pod set up");
    await manager?.stop();
    manager = undefined;
    // While it was down: a pod of which only volumes are left (no stream entry at all).
    const orphan = join(rootDir, "pods", randomUUID());
    const orphanVol = join(orphan, "volumes", "kubernetes.io~secret", "x");
    mkdirSync(orphanVol, { recursive: true });
    await mountTmpfs(orphanVol);
    writeFileSync(join(orphanVol, "secret"), "s");
    await startManager();
    await waitFor(() => !existsSync(orphan), "orphan removed");
    assert.deepEqual(mountsBelow(await readMounts(), orphan), []);
    assert.equal(await fsTypeAt(wantedDir), "tmpfs", "the wanted pod keeps its volume");
    assert.ok(lstatSync(wantedDir).isDirectory());
    await teardown(wanted.metadata.uid);
  });
});

describe("security review fixes", () => {
  const js = () => jetstream(nc);
  const upsert = (pod: Pod) => publishLatest(js(), subjects.pod(NODE, pod.metadata.uid), { kind: "upsert", pod });
  const tombstone = (pod: Pod) => publishLatest(js(), subjects.pod(NODE, pod.metadata.uid), { kind: "deleted", uid: pod.metadata.uid, namespace: "default", name: pod.metadata.name });
  const memDir = (pod: Pod, root = rootDir) => join(root, "pods", pod.metadata.uid, "volumes", "kubernetes.io~empty-dir", "s");
  const memPod = () => podOf([{ name: "s", emptyDir: { medium: "Memory" } }], [{ name: "s", mountPath: "/s" }]);

  test("S1: a symlinked NATSLET_ROOT_DIR: no stacked tmpfs on resync, teardown never deletes through a hostPath subPath bind", async () => {
    const link = join(hostDir, "root-link");
    symlinkSync(rootDir2, link);
    const second = await startVolumeManager(volumeManagerSettings({ NATSLET_NODE_NAME: NODE2, NATS_URL: nats.url, NATSLET_ROOT_DIR: link, NATSLET_VOLUME_RESYNC_MS: "200" }), {
      nc: serverNc,
      kc,
      log: createLogger({ service: "volume-manager", node: NODE2, level: process.env["LOG_LEVEL"] ?? "silent" }),
      registry: new Registry(),
    });
    try {
      await second.caughtUp;
      const shared = join(hostDir, "s1-host");
      mkdirSync(join(shared, "sub"), { recursive: true });
      writeFileSync(join(shared, "sub", "precious"), "host data");
      const pod = podOf(
        [{ name: "s", emptyDir: { medium: "Memory" } }, { name: "h", hostPath: { path: shared } }],
        [{ name: "s", mountPath: "/s" }, { name: "h", mountPath: "/h", subPath: "sub" }],
      );
      const setup2 = () => request(nc, subjects.volumeRpc(NODE2, "Setup"), { pod }, volumeMethods.Setup.reply, { timeoutMs: 30_000 });
      const reply = await setup2();
      assert.equal(reply.kind, "ready", JSON.stringify(reply));
      // Mount paths are real paths (what mountinfo lists).
      assert.equal(reply.kind === "ready" && reply.mounts["app"]?.[0]?.hostPath, memDir(pod, rootDir2));
      await setup2();
      await sleep(700); // a few resyncs
      const layers = (await readMounts()).filter((m) => m.mountPoint === memDir(pod, rootDir2));
      assert.equal(layers.length, 1, "one tmpfs, not one per resync");
      const removed = await request(nc, subjects.volumeRpc(NODE2, "Teardown"), { uid: pod.metadata.uid }, volumeMethods.Teardown.reply, { timeoutMs: 30_000 });
      assert.equal(removed.removed, true);
      assert.equal(readFileSync(join(shared, "sub", "precious"), "utf8"), "host data", "the host's files behind the subPath bind survive");
      assert.deepEqual(mountsBelow(await readMounts(), rootDir2), []);
      assert.equal(existsSync(join(rootDir2, "pods", pod.metadata.uid)), false);
    } finally {
      await second.stop();
    }
  });

  test("S2a: a terminal pod's volumes stay while something of it still runs", async () => {
    const pod = memPod();
    await upsert(pod);
    await waitFor(async () => (await fsTypeAt(memDir(pod))) === "tmpfs", "set up from the stream");
    runningPods.add(pod.metadata.uid);
    await upsert({ ...pod, status: { phase: "Succeeded" } });
    await sleep(2_500);
    assert.equal(await fsTypeAt(memDir(pod)), "tmpfs", "kept while the sandbox runs");
    runningPods.delete(pod.metadata.uid);
    await waitFor(() => !existsSync(join(rootDir, "pods", pod.metadata.uid)), "torn down once stopped", 10_000);
    await tombstone(pod);
  });

  test("S2b: a runtime that cannot answer (Unavailable) counts as still running", async () => {
    const pod = memPod();
    await upsert(pod);
    await waitFor(async () => (await fsTypeAt(memDir(pod))) === "tmpfs", "set up from the stream");
    runtimeFails.add(pod.metadata.uid);
    await tombstone(pod);
    await sleep(2_500);
    assert.equal(await fsTypeAt(memDir(pod)), "tmpfs", "kept while the runtime cannot tell");
    runtimeFails.delete(pod.metadata.uid);
    await waitFor(() => !existsSync(join(rootDir, "pods", pod.metadata.uid)), "torn down once the runtime says stopped", 10_000);
  });

  test("S2c: the Teardown request refuses while the pod runs", async () => {
    const pod = memPod();
    await ready(pod);
    runningPods.add(pod.metadata.uid);
    await assert.rejects(teardown(pod.metadata.uid), (err: unknown) => hasErrorCode(err, "Conflict"));
    assert.equal(await fsTypeAt(memDir(pod)), "tmpfs");
    runningPods.delete(pod.metadata.uid);
    await teardown(pod.metadata.uid);
    assert.equal(await fsTypeAt(memDir(pod)), undefined);
  });

  test("S3: a hostPath through a symlink out of the allowed dir is refused", async () => {
    const allowed = join(hostDir, "s3-allowed");
    const outside = join(hostDir, "s3-outside");
    mkdirSync(allowed, { recursive: true });
    mkdirSync(outside, { recursive: true });
    symlinkSync(outside, join(allowed, "escape"));
    symlinkSync(allowed, join(hostDir, "s3-allowed-link"));
    const volumes = new PodVolumes({ rootDir, sources: new SourceReader(kc), hostPathAllow: [realpathSync(allowed)], downward: { hostIp: "10.0.0.1", nodeName: NODE } });
    const pod = (path: string, type?: string) => podOf([{ name: "h", hostPath: { path, ...(type ? { type } : {}) } }], [{ name: "h", mountPath: "/h" }]);
    for (const path of [join(allowed, "escape"), join(allowed, "escape", "new"), join(allowed, "escape", "f")]) {
      const reply = await volumes.setup(pod(path, path.endsWith("f") ? "FileOrCreate" : "DirectoryOrCreate"), []);
      assert.match(reply.kind === "failed" ? reply.message : "ready", /is not allowed on this node/, path);
    }
    assert.deepEqual(readdirSync(outside), [], "nothing created outside through the link");
    // The real path is what the runtime gets; a link to an allowed dir is fine.
    const viaLink = await volumes.setup(pod(join(hostDir, "s3-allowed-link", "d"), "DirectoryOrCreate"), []);
    assert.equal(viaLink.kind === "ready" && viaLink.mounts["app"]?.[0]?.hostPath, join(realpathSync(allowed), "d"));
  });

  test("S4: missing subPath dirs are created below the volume, never through a link out", async () => {
    const vol = join(hostDir, "s4");
    const outside = join(hostDir, "s4-outside");
    mkdirSync(join(vol, "in"), { recursive: true });
    mkdirSync(outside, { recursive: true });
    symlinkSync(outside, join(vol, "out"));
    symlinkSync("in", join(vol, "alias"));
    const volumes = [{ name: "v", hostPath: { path: vol } }];
    const bad = await setup(podOf(volumes, [{ name: "v", mountPath: "/x", subPath: "out/new/deeper" }]));
    assert.match(bad.kind === "failed" ? bad.message : "ready", /not within volume path/);
    assert.deepEqual(readdirSync(outside), []);
    const good = podOf(volumes, [{ name: "v", mountPath: "/x", subPath: "alias/a/b" }]);
    await ready(good);
    assert.ok(statSync(join(vol, "in", "a", "b")).isDirectory(), "created inside, through the link that stays inside");
    assert.equal((statSync(join(vol, "in", "a")).mode & 0o777).toString(8), "750");
    await teardown(good.metadata.uid);
  });

  test("S6: pods/ and pods/<uid> are 0750", async () => {
    const pod = memPod();
    await ready(pod);
    assert.equal(mode(join(rootDir, "pods")), "750");
    assert.equal(mode(join(rootDir, "pods", pod.metadata.uid)), "750");
    await teardown(pod.metadata.uid);
  });

  test("C1: a resync queued behind a teardown does not bring the pod's volumes back", async () => {
    // Hold the pod's lock: a Setup whose subPath bind target was made a FIFO blocks in open(2)
    // until the test opens the FIFO's other end. Meanwhile the pod turns terminal (its teardown
    // queues behind the Setup) and resyncs run (their setups queue behind the teardown).
    const file = join(hostDir, "c1-file");
    writeFileSync(file, "x");
    const pod = podOf([{ name: "s", emptyDir: { medium: "Memory" } }, { name: "h", hostPath: { path: hostDir } }], [{ name: "h", mountPath: "/f", subPath: "c1-file" }]);
    await upsert(pod);
    await waitFor(async () => (await fsTypeAt(memDir(pod))) === "tmpfs", "set up from the stream");
    await sleep(400); // ready, and seen by resyncs
    const fifo = join(rootDir, "pods", pod.metadata.uid, "volume-subpaths", "h", "app", "0");
    mkdirSync(join(fifo, ".."), { recursive: true });
    execFileSync("mkfifo", [fifo]);
    const blocked = setup(pod).catch(() => undefined);
    await sleep(20);
    await upsert({ ...pod, status: { phase: "Failed" } });
    await sleep(1_200);
    closeSync(openSync(fifo, fsConstants.O_RDONLY | fsConstants.O_NONBLOCK));
    await blocked;
    await waitFor(() => !existsSync(join(rootDir, "pods", pod.metadata.uid)), "torn down", 10_000);
    await sleep(1_000); // resyncs after the teardown
    assert.equal(existsSync(join(rootDir, "pods", pod.metadata.uid)), false, "not set up again");
    assert.deepEqual(mountsBelow(await readMounts(), join(rootDir, "pods", pod.metadata.uid)), []);
    await tombstone(pod);
  });

  test("C3: orphans are looked for again periodically (a teardown that failed or waited is retried)", async () => {
    const orphan = join(rootDir, "pods", randomUUID());
    const vol = join(orphan, "volumes", "kubernetes.io~secret", "x");
    mkdirSync(vol, { recursive: true });
    await mountTmpfs(vol);
    // 30 resyncs of 300 ms: within ~9 s.
    await waitFor(() => !existsSync(orphan), "orphan found by a later scan", 20_000);
    assert.deepEqual(mountsBelow(await readMounts(), orphan), []);
  });

  test("C4: a failed write leaves no version dir; a swap removes every stale version", async () => {
    const dir = join(hostDir, "c4");
    mkdirSync(dir, { recursive: true });
    await mountTmpfs(dir, { sizeBytes: 64 * 1024 });
    try {
      const small: Payload = new Map([["a", { content: Buffer.from("1"), mode: 0o644 }]]);
      await writeAtomically(dir, small);
      mkdirSync(join(dir, "..2020_01_01_00_00_00.deadbeef")); // left by a crash
      const huge: Payload = new Map([["a", { content: Buffer.alloc(256 * 1024), mode: 0o644 }]]);
      await assert.rejects(writeAtomically(dir, huge), /ENOSPC|no space/i);
      const versions = () => readdirSync(dir).filter((n) => n.startsWith("..") && n !== "..data");
      assert.equal(versions().length, 2, `only the current and the stale one: ${versions().join(",")}`);
      await writeAtomically(dir, new Map([["a", { content: Buffer.from("2"), mode: 0o644 }]]));
      assert.deepEqual(versions(), [readlinkSync(join(dir, "..data"))]);
      await assert.rejects(
        writeAtomically(dir, new Map([["a", { content: Buffer.from("x"), mode: 0o644 }], ["a/b", { content: Buffer.from("y"), mode: 0o644 }]])),
        /conflicting paths/,
      );
    } finally {
      await unmountAllBelow(dir);
    }
  });

  test("R1: an unexpected error of one volume is a retryable FailedMount reply, not a failed request", async () => {
    const pod = podOf([{ name: "e", emptyDir: {} }], [{ name: "e", mountPath: "/e" }]);
    const at = join(rootDir, "pods", pod.metadata.uid, "volumes", "kubernetes.io~empty-dir");
    mkdirSync(at, { recursive: true });
    writeFileSync(join(at, "e"), "a file where the volume dir goes");
    const reply = await setup(pod);
    assert.equal(reply.kind, "failed");
    assert.equal(reply.kind === "failed" && reply.reason, "FailedMount");
    assert.equal(reply.kind === "failed" && reply.retryable, true);
    assert.match(reply.kind === "failed" ? reply.message : "", /^MountVolume\.SetUp failed for volume "e" : /);
    await teardown(pod.metadata.uid);
  });
});

describe("ConfigMap/Secret watches (NATSLET_VOLUME_SOURCE_STRATEGY)", () => {
  // A node of its own: its manager's API reads, watches and resyncs are only what these tests make.
  const NODE3 = "vm-itest-3";
  let rootDir3: string;
  const events3: EventMessage[] = [];
  const cfgDir = (pod: Pod, root: string) => join(root, "pods", pod.metadata.uid, "volumes", "kubernetes.io~configmap", "cfg");
  const cmPod = (cm: string, optional = false) => {
    const pod = podOf([{ name: "cfg", configMap: { name: cm, ...(optional ? { optional } : {}) } }], [{ name: "cfg", mountPath: "/cfg" }]);
    return { ...pod, spec: { ...pod.spec, nodeName: NODE3 } };
  };
  const setup3 = (pod: Pod) => request(nc, subjects.volumeRpc(NODE3, "Setup"), { pod }, volumeMethods.Setup.reply, { timeoutMs: 30_000 });
  const ready3 = async (pod: Pod) => assert.equal((await setup3(pod)).kind, "ready");
  const teardown3 = (uid: string) => request(nc, subjects.volumeRpc(NODE3, "Teardown"), { uid }, volumeMethods.Teardown.reply, { timeoutMs: 30_000 });
  const start3 = async (strategy: "watch" | "get", resyncMs: number) => {
    const registry = new Registry();
    const vm = await startVolumeManager(
      volumeManagerSettings({ NATSLET_NODE_NAME: NODE3, NATS_URL: nats.url, NATSLET_ROOT_DIR: rootDir3, NATSLET_VOLUME_RESYNC_MS: String(resyncMs), NATSLET_VOLUME_SOURCE_STRATEGY: strategy }),
      { nc: serverNc, kc, log: createLogger({ service: "volume-manager", node: NODE3, level: process.env["LOG_LEVEL"] ?? "silent" }), registry },
    );
    await vm.caughtUp;
    const metric = async (name: string, labels: Record<string, string> = {}) => sumMetric(await registry.metrics(), name, labels);
    return { vm, metric };
  };
  /** Reads of configmaps the API server served (GET + LIST), from its own /metrics. */
  const apiConfigMapReads = async () => {
    const text = await apiserverMetrics();
    return { get: sumMetric(text, "apiserver_request_total", { resource: "configmaps", verb: "GET" }), list: sumMetric(text, "apiserver_request_total", { resource: "configmaps", verb: "LIST" }) };
  };
  const configMapWatchesAtApiServer = async () => sumMetric(await apiserverMetrics(), "apiserver_longrunning_requests", { resource: "configmaps", verb: "WATCH" });

  before(() => {
    rootDir3 = makeTempDir("vm-root3");
    nc.subscribe(subjects.events(NODE3), { callback: (_e, msg) => void events3.push(decodeJson(eventMessageSchema, msg.data)) });
    serve(nc, { subject: subjects.runtimeRpc(NODE3, "GetPod"), queue: "runtime-stand-in", request: runtimeMethods.GetPod.request }, ({ uid }) => ({ uid, name: "", namespace: "", sandboxes: [], containers: [] }));
  });
  after(async () => {
    if (rootDir3) {
      await unmountAllBelow(rootDir3).catch(() => undefined);
      await removeDir(rootDir3);
    }
  });

  test("W1: pods sharing one ConfigMap: a watch instead of a GET per pod per resync (measured at the API server)", async () => {
    await createConfigMap("shared", { k: "v" });
    const PODS = 5;
    const RESYNC_MS = 400;
    const WINDOW_MS = 2_000; // ~5 resyncs
    const measure = async (strategy: "watch" | "get") => {
      const { vm, metric } = await start3(strategy, RESYNC_MS);
      try {
        const pods = Array.from({ length: PODS }, () => cmPod("shared"));
        for (const pod of pods) await ready3(pod);
        // Counted from here: the steady state (set-up reads differ with how soon the watch syncs).
        const before = await apiConfigMapReads();
        await sleep(WINDOW_MS);
        const after = await apiConfigMapReads();
        const reads = { get: after.get - before.get, list: after.list - before.list, cache: await metric("natslet_volume_source_reads_total", { source: "cache" }), api: await metric("natslet_volume_source_reads_total", { source: "api" }) };
        for (const pod of pods) await teardown3(pod.metadata.uid);
        return reads;
      } finally {
        await vm.stop();
      }
    };
    const polled = await measure("get");
    const watched = await measure("watch");
    console.log(`${PODS} pods sharing one ConfigMap, resync ${RESYNC_MS} ms, ${WINDOW_MS} ms after setup: get strategy ${JSON.stringify(polled)}; watch strategy ${JSON.stringify(watched)}`);
    // ~5 resyncs in the window; at least 2 even on a loaded machine.
    assert.ok(polled.get >= PODS * 2, `the GET strategy reads per pod per resync: ${polled.get}`);
    assert.equal(polled.cache, 0);
    // Nothing read from the API server in the steady state (a relist, were the watch to fail, is one LIST).
    assert.ok(watched.get + watched.list <= 1, `watch strategy API reads: ${JSON.stringify(watched)}`);
    assert.ok(watched.cache >= PODS * 2, `reads served from the watch: ${watched.cache}`);
  });

  test("W2/W3: a change reaches the files through the watch (resync 60 s); the watch stops with its last pod", async () => {
    await createConfigMap("fast", { k: "0" });
    const { vm, metric } = await start3("watch", 60_000);
    try {
      const baseWatches = await configMapWatchesAtApiServer();
      const a = cmPod("fast");
      const b = cmPod("fast");
      await ready3(a);
      await ready3(b);
      assert.equal(await metric("natslet_volume_source_watches"), 1, "one watch for two pods");
      await waitFor(async () => (await configMapWatchesAtApiServer()) === baseWatches + 1, "one more configmap WATCH at the API server");
      const latencies: number[] = [];
      for (let v = 1; v <= 3; v++) {
        const started = Date.now();
        await core.replaceNamespacedConfigMap({ name: "fast", namespace: "default", body: { metadata: { name: "fast" }, data: { k: String(v) } } });
        await waitFor(() => [a, b].every((p) => readFileSync(join(cfgDir(p, rootDir3), "k"), "utf8") === String(v)), `version ${v} in both pods`, 20_000);
        latencies.push(Date.now() - started);
      }
      console.log(`ConfigMap update → files of 2 pods (resync 60 s): ${latencies.join(", ")} ms`);
      // Typically well under a second; the bound leaves room for a loaded machine and is still far below 60 s.
      assert.ok(Math.max(...latencies) < 10_000, `well under the resync: ${latencies.join(", ")} ms`);
      assert.ok((await metric("natslet_volume_source_change_resyncs_total")) >= 6, "resyncs started by the watch");

      await teardown3(a.metadata.uid);
      assert.equal(await metric("natslet_volume_source_watches"), 1, "still used by b");
      await teardown3(b.metadata.uid);
      assert.equal(await metric("natslet_volume_source_watches"), 0, "stopped with its last pod");
      await waitFor(async () => (await configMapWatchesAtApiServer()) === baseWatches, "the WATCH ended at the API server");
    } finally {
      await vm.stop();
    }
  });

  test("W4: deleting a ConfigMap in use: a non-optional volume keeps its files and fails as before, an optional one empties; re-created, both update", async () => {
    await createConfigMap("doomed", { k: "1" });
    const { vm, metric } = await start3("watch", 60_000);
    try {
      const strict = cmPod("doomed");
      const optional = cmPod("doomed", true);
      await ready3(strict);
      await ready3(optional);
      const apiBefore = await metric("natslet_volume_source_reads_total", { source: "api" });
      await core.deleteNamespacedConfigMap({ name: "doomed", namespace: "default" });
      await waitFor(() => !existsSync(join(cfgDir(optional, rootDir3), "k")), "the optional volume emptied", 5_000);
      await waitFor(
        () => events3.some((e) => e.involved.uid === strict.metadata.uid && e.reason === "FailedMount" && e.message === 'MountVolume.SetUp failed for volume "cfg" : configmap "doomed" not found'),
        "FailedMount for the non-optional volume",
        5_000,
      );
      assert.equal(readFileSync(join(cfgDir(strict, rootDir3), "k"), "utf8"), "1", "the non-optional volume keeps what it had");
      assert.equal(await metric("natslet_volume_source_reads_total", { source: "api" }), apiBefore, "the deletion was read from the watch");
      // A pod not set up yet still gets the GET-confirmed answer (FailedMount, not a stale cache).
      const freshPod = cmPod("doomed");
      const fresh = await setup3(freshPod);
      assert.equal(fresh.kind === "failed" && fresh.message, 'MountVolume.SetUp failed for volume "cfg" : configmap "doomed" not found');
      await createConfigMap("doomed", { k: "2" });
      await waitFor(() => [strict, optional].every((p) => existsSync(join(cfgDir(p, rootDir3), "k")) && readFileSync(join(cfgDir(p, rootDir3), "k"), "utf8") === "2"), "both volumes have the new object", 5_000);
      for (const pod of [strict, optional, freshPod]) await teardown3(pod.metadata.uid);
    } finally {
      await vm.stop();
    }
  });
});

/** The kube-apiserver's /metrics text (the admin kubeconfig may read it). */
async function apiserverMetrics(): Promise<string> {
  const server = kc.getCurrentCluster()?.server ?? "";
  const opts: RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    const req = httpsRequest(new URL("/metrics", server), { ...opts, method: "GET" }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`/metrics: HTTP ${res.statusCode ?? "?"}`))));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

/** Sum of a Prometheus text metric over the series whose labels include `labels`. */
function sumMetric(text: string, name: string, labels: Record<string, string>): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = new Map([...(m[3] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => have.get(k) === v)) sum += Number(m[4]);
  }
  return sum;
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(50);
  }
  throw new Error(`not within ${timeoutMs} ms: ${what}`);
}
