// The image-manager against real parts: nats-server (KV), containerd pulling over HTTP from a
// real registry (one open, one behind basic auth), the runtime-adapter process as the only CRI
// client, and a kube-apiserver holding the pull secrets. Two image-manager replicas run here
// (each with its own NATS connection, metrics and in-memory state), sharing pulls through KV.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { CoreV1Api } from "@kubernetes/client-node";
import type { NatsConnection } from "@nats-io/transport-node";
import { connectBus, request } from "@natslet/bus";
import { decode, eventMessageSchema, imageMethods, subjects, type EnsureImageReply, type EventMessage } from "@natslet/contracts";
import { loadKubeConfig } from "@natslet/kube";
import { createLogger } from "@natslet/telemetry";
import {
  startAll, busyboxImage, makeTempDir, removeDir, startContainerd, startControlPlane, startNatslet, startNats, startRegistry,
  type Containerd, type ControlPlane, type Natslet, type NatsServer, type Registry as OciRegistry,
} from "@natslet/testkit";
import { Registry } from "prom-client";
import type { EnsureRequest } from "./ensure.js";
import { keys, openBuckets } from "./kv-state.js";
import { normalizedImage } from "./reference.js";
import { startImageManager, type ImageManager } from "./service.js";
import { imageManagerSettings } from "./settings.js";

const NODE = "image-itest";
const BACKOFF_MS = 400;
const AUTH = { username: "natslet", password: "s3cret" };

let nats: NatsServer;
let containerd: Containerd;
let cp: ControlPlane;
let open: OciRegistry;
let priv: OciRegistry;
let natslet: Natslet;
let dir: string;
let core: CoreV1Api;
const replicas: Array<{ manager: ImageManager; nc: NatsConnection; registry: Registry }> = [];
let client: NatsConnection;
const events: EventMessage[] = [];
const images = { open: "", latest: "", missing: "", shared: "", priv: "", procShared: "", takeover: "" };
const PROC_NODE = "image-itest-procs";
const procNodes: Natslet[] = [];
const procDirs: string[] = [];
function procDir(): string {
  const d = makeTempDir("image-procs");
  procDirs.push(d);
  return d;
}

before(async () => {
  [nats, containerd, cp, open, priv] = await startAll([
    startNats(),
    startContainerd(),
    startControlPlane(),
    startRegistry(),
    startRegistry({ auth: AUTH }),
  ]);
  containerd.allowPlainHttpRegistry(open.host);
  containerd.allowPlainHttpRegistry(priv.host);
  const busybox = await busyboxImage();
  images.open = (await open.push(busybox, "natslet/app", "1")).ref;
  images.latest = (await open.push(busybox, "natslet/app", "latest")).ref;
  images.shared = (await open.push(busybox, "natslet/shared", "1", { randomLayerBytes: 4 * 1024 * 1024 })).ref;
  images.priv = (await priv.push(busybox, "private/app", "1")).ref;
  images.missing = `${open.host}/natslet/missing:1`;
  images.procShared = (await open.push(busybox, "natslet/procs", "1", { randomLayerBytes: 4 * 1024 * 1024 })).ref;
  images.takeover = (await open.push(busybox, "natslet/takeover", "1", { randomLayerBytes: 1024 * 1024 })).ref;
  dir = makeTempDir("image-itest");
  natslet = await startNatslet({
    natsUrl: nats.url, kubeconfig: cp.kubeconfig, criEndpoint: containerd.endpoint, nodeName: NODE, dir, services: ["runtime-adapter"],
  });
  const kc = loadKubeConfig({ KUBECONFIG: cp.kubeconfig });
  core = kc.makeApiClient(CoreV1Api);
  const settings = imageManagerSettings({
    NATSLET_NODE_NAME: NODE,
    NATS_URL: nats.url,
    NATSLET_IMAGE_PULL_BACKOFF_MS: String(BACKOFF_MS),
    NATSLET_IMAGE_EAGER_PULLS: "false",
    NATSLET_IMAGE_GC_PERIOD_MS: "0",
  });
  for (const name of ["a", "b"]) {
    const nc = await connectBus({ servers: nats.url, name: `image-manager-${name}` });
    const registry = new Registry();
    const log = createLogger({ service: `image-manager-${name}`, node: NODE, level: process.env["LOG_LEVEL"] ?? "silent" });
    replicas.push({ manager: await startImageManager(settings, { nc, kc, log, registry }), nc, registry });
  }
  client = await connectBus({ servers: nats.url, name: "itest-client" });
  client.subscribe(subjects.events(NODE), {
    callback: (_e, msg) => {
      events.push(decode(eventMessageSchema, msg.data));
    },
  });
});

after(async () => {
  for (const n of procNodes.reverse()) await n.stop();
  for (const d of procDirs) await removeDir(d);
  for (const r of replicas) {
    await r.manager.stop();
    await r.nc.drain();
  }
  await client?.drain();
  await natslet?.stop();
  await Promise.all([containerd?.stop(), cp?.stop(), open?.stop(), priv?.stop()]);
  await nats?.stop();
  if (dir) await removeDir(dir);
});

function req(image: string, over: Partial<EnsureRequest> = {}): EnsureRequest {
  return { image, pod: { uid: randomUUID(), namespace: "default", name: "p" }, container: "c", pullSecrets: [], ...over };
}

/** Through the bus, as the sync-loop asks (either replica answers). */
function ensure(r: EnsureRequest): Promise<EnsureImageReply> {
  return request(client, subjects.imageRpc(NODE, "Ensure"), r, imageMethods.Ensure.reply, { timeoutMs: 120_000 });
}

async function eventsOf(uid: string, min: number): Promise<Array<[string, string, string]>> {
  for (let i = 0; i < 50 && events.filter((e) => e.involved.uid === uid).length < min; i++) await sleep(20);
  return events.filter((e) => e.involved.uid === uid).map((e) => [e.type, e.reason, e.message]);
}

async function metric(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  return (m?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, val]) => (v.labels as Record<string, unknown>)[k] === val))
    .reduce((n, v) => n + v.value, 0);
}

function layerGets(reg: OciRegistry, repository: string): number {
  // One GET of the big (last) layer per real pull; resolves and manifests do not count.
  return reg.requests().filter((r) => r.method === "GET" && r.path.startsWith(`/v2/${repository}/blobs/`) && r.status === 200).length;
}

describe("pull policies", () => {
  test("IfNotPresent with the image present: not pulled, 'already present' Event", async () => {
    const r = req(containerd.busyboxImage, { policy: "IfNotPresent" });
    const reply = await ensure(r);
    assert.equal(reply.result, "ready");
    assert.ok(reply.result === "ready" && !reply.pulled && /^sha256:/.test(reply.imageRef));
    assert.deepEqual(await eventsOf(r.pod.uid, 1), [["Normal", "Pulled", `Container image "${containerd.busyboxImage}" already present on machine`]]);
  });

  test("Never: present is used, missing is ErrImageNeverPull with the kubelet's message and Event", async () => {
    assert.equal((await ensure(req(containerd.busyboxImage, { policy: "Never" }))).result, "ready");
    const r = req(images.open, { policy: "Never" });
    const reply = await ensure(r);
    const message = `Container image "${images.open}" is not present with pull policy of Never`;
    assert.deepEqual(reply, { result: "waiting", reason: "ErrImageNeverPull", message });
    assert.deepEqual(await eventsOf(r.pod.uid, 2), [
      ["Warning", "ErrImageNeverPull", message],
      ["Warning", "Failed", "Error: ErrImageNeverPull"],
    ]);
  });

  test("IfNotPresent (the default for a tag): pulled once from the registry, then present", async () => {
    const r = req(images.open);
    const first = await ensure(r);
    assert.ok(first.result === "ready" && first.pulled, JSON.stringify(first));
    const evs = await eventsOf(r.pod.uid, 2);
    assert.deepEqual(evs[0], ["Normal", "Pulling", `Pulling image "${images.open}"`]);
    assert.match(evs[1]?.[2] ?? "", new RegExp(`^Successfully pulled image "${images.open.replace(/[.]/g, "\\.")}" in [\\d.]+m?s \\([\\d.]+m?s including waiting\\)\\. Image size: \\d+ bytes\\.$`));
    const second = await ensure(req(images.open));
    assert.ok(second.result === "ready" && !second.pulled);
  });

  test("Always (the default for :latest): pulled every time, even when present", async () => {
    const before = layerGets(open, "natslet/app") + open.requests().filter((r) => r.path.includes("/manifests/latest")).length;
    const a = await ensure(req(images.latest));
    const b = await ensure(req(images.latest));
    assert.ok(a.result === "ready" && a.pulled && b.result === "ready" && b.pulled);
    const after = layerGets(open, "natslet/app") + open.requests().filter((r) => r.path.includes("/manifests/latest")).length;
    assert.ok(after - before >= 2, `the registry saw ${after - before} requests for two Always pulls`);
  });

  test("an invalid image name is InvalidImageName", async () => {
    const reply = await ensure(req("Not/Valid"));
    assert.equal(reply.result === "waiting" && reply.reason, "InvalidImageName");
  });
});

describe("failures and back-off", () => {
  test("a missing image: ErrImagePull with the registry's message, then ImagePullBackOff with growing delays", async () => {
    const r = req(images.missing);
    const first = await ensure(r);
    assert.ok(first.result === "waiting" && first.reason === "ErrImagePull", JSON.stringify(first));
    assert.match(first.message, /not found/);
    const second = await ensure(r);
    assert.ok(second.result === "waiting" && second.reason === "ImagePullBackOff", JSON.stringify(second));
    assert.ok((second.retryInMs ?? 0) > 0 && (second.retryInMs ?? 0) <= BACKOFF_MS);
    assert.match(second.message, /^Back-off pulling image ".*": ErrImagePull: .*not found/);
    await sleep((second.retryInMs ?? 0) + 20);
    const third = await ensure(r); // back-off over: pulls again, fails again, period doubles
    assert.equal(third.result === "waiting" && third.reason, "ErrImagePull");
    const fourth = await ensure(r);
    assert.ok(fourth.result === "waiting" && fourth.reason === "ImagePullBackOff");
    assert.ok((fourth.retryInMs ?? 0) > BACKOFF_MS, `second period ${fourth.retryInMs} ms should be about ${2 * BACKOFF_MS} ms`);
    const evs = await eventsOf(r.pod.uid, 8);
    assert.deepEqual(evs.slice(0, 5).map(([type, reason]) => `${type} ${reason}`), [
      "Normal Pulling", "Warning Failed", "Warning Failed", "Normal BackOff", "Warning Failed",
    ]);
    assert.match(evs[1]?.[2] ?? "", /^Failed to pull image ".*": .*not found/);
    assert.equal(evs[2]?.[2], "Error: ErrImagePull");
    assert.equal(evs[3]?.[2], `Back-off pulling image "${images.missing}"`);
    assert.equal(evs[4]?.[2], "Error: ImagePullBackOff");
  });

  test("pull secrets: missing secret warns, wrong credentials fail with 401, right ones pull", async () => {
    const ns = "default";
    const secret = (password: string) => ({
      metadata: { name: "regcred", namespace: ns },
      type: "kubernetes.io/dockerconfigjson",
      data: {
        ".dockerconfigjson": Buffer.from(JSON.stringify({ auths: { [`http://${priv.host}`]: { username: AUTH.username, password, auth: Buffer.from(`${AUTH.username}:${password}`).toString("base64") } } })).toString("base64"),
      },
    });
    const noSecret = req(images.priv, { pullSecrets: ["absent"] });
    const anonymous = await ensure(noSecret);
    assert.ok(anonymous.result === "waiting" && anonymous.reason === "ErrImagePull", JSON.stringify(anonymous));
    assert.ok((await eventsOf(noSecret.pod.uid, 1)).some(([t, reason, m]) => t === "Warning" && reason === "FailedToRetrieveImagePullSecret" && m.includes("(absent)")));

    await core.createNamespacedSecret({ namespace: ns, body: secret("wrong") });
    const wrong = await ensure(req(images.priv, { pullSecrets: ["regcred"] }));
    assert.ok(wrong.result === "waiting" && wrong.reason === "ErrImagePull", JSON.stringify(wrong));
    assert.match(wrong.message, /401|unauthorized/i);

    await core.replaceNamespacedSecret({ namespace: ns, name: "regcred", body: secret(AUTH.password) });
    const right = await ensure(req(images.priv, { pullSecrets: ["regcred"] }));
    assert.ok(right.result === "ready" && right.pulled, JSON.stringify(right));
  });
});

describe("shared pulls", () => {
  test("concurrent requests on two replicas for one image: one pull from the registry", async () => {
    const [a, b] = replicas;
    assert.ok(a && b);
    const before = open.requests().length;
    const successes = async () =>
      (await metric(a.registry, "natslet_image_pulls_total", { result: "success" })) + (await metric(b.registry, "natslet_image_pulls_total", { result: "success" }));
    const pullsBefore = await successes();
    const replies = await Promise.all([
      a.manager.ensure(req(images.shared)),
      b.manager.ensure(req(images.shared)),
      a.manager.ensure(req(images.shared)),
      b.manager.ensure(req(images.shared)),
    ]);
    assert.ok(replies.every((r) => r.result === "ready" && r.pulled), JSON.stringify(replies));
    const pulls = (await successes()) - pullsBefore;
    const joined = (await metric(a.registry, "natslet_image_pulls_joined_total")) + (await metric(b.registry, "natslet_image_pulls_joined_total"));
    const remote = (await metric(a.registry, "natslet_image_pulls_joined_total", { where: "remote" })) + (await metric(b.registry, "natslet_image_pulls_joined_total", { where: "remote" }));
    // Both layers (busybox + 4 MiB random) fetched once each, by one pull.
    // Every blob the pull needed (config, random layer; busybox's layer is already local) fetched once.
    const blobGets = open.requests().slice(before).filter((r) => r.method === "GET" && r.path.includes("/blobs/"));
    assert.ok(blobGets.length >= 2, JSON.stringify(blobGets));
    assert.equal(new Set(blobGets.map((r) => r.path)).size, blobGets.length, `a blob was fetched twice: ${JSON.stringify(blobGets)}`);
    assert.equal(pulls, 1, "one CRI pull for four requests on two replicas");
    assert.ok(joined >= 3 && remote >= 1, `joined ${joined} (remote ${remote}), pulls so far ${pulls}`);
  });
});

describe("shared pulls across processes", () => {
  test("two image-manager processes (separate replicas of the service) make one pull for concurrent requests", async () => {
    // A second node name on the same containerd: its own runtime-adapter and two image-manager processes.
    const base = { natsUrl: nats.url, kubeconfig: cp.kubeconfig, criEndpoint: containerd.endpoint, nodeName: PROC_NODE };
    procNodes.push(await startNatslet({ ...base, dir: procDir(), services: ["runtime-adapter"] }));
    const env = { NATSLET_IMAGE_EAGER_PULLS: "false", NATSLET_IMAGE_GC_PERIOD_MS: "0" };
    for (let i = 0; i < 2; i++) procNodes.push(await startNatslet({ ...base, dir: procDir(), services: ["image-manager"], env }));
    const before = open.requests().length;
    const replies = await Promise.all(
      Array.from({ length: 6 }, () =>
        request(client, subjects.imageRpc(PROC_NODE, "Ensure"), req(images.procShared), imageMethods.Ensure.reply, { timeoutMs: 120_000 }),
      ),
    );
    assert.ok(replies.every((r) => r.result === "ready" && r.pulled), JSON.stringify(replies));
    const scrape = async (n: Natslet, name: string) => {
      const text = await (await fetch(`http://127.0.0.1:${n.healthPort("image-manager")}/metrics`)).text();
      return [...text.matchAll(new RegExp(`^${name}(\\{[^}]*\\})? (\\d+)`, "gm"))].reduce((sum, m) => sum + Number(m[2]), 0);
    };
    const managers = procNodes.slice(1);
    const pulls = (await Promise.all(managers.map((n) => scrape(n, "natslet_image_pulls_total")))).reduce((a, b) => a + b, 0);
    const ensures = await Promise.all(managers.map((n) => scrape(n, "natslet_image_ensure_total")));
    assert.equal(pulls, 1, `CRI pulls across both processes (ensures per process: ${ensures.join(", ")})`);
    const blobGets = open.requests().slice(before).filter((r) => r.method === "GET" && r.path.includes("/blobs/"));
    assert.equal(new Set(blobGets.map((r) => r.path)).size, blobGets.length, `a blob was fetched twice: ${JSON.stringify(blobGets)}`);
  });

  test("a claim whose puller died is taken over when its lease runs out", async () => {
    const { pulls } = await openBuckets(client);
    const normalized = normalizedImage(images.takeover);
    // What a replica that crashed in the middle of a pull leaves behind: a claim nobody renews.
    await pulls.put(keys.pull(NODE, normalized, "anonymous"), JSON.stringify({ state: "pulling", owner: "dead", leaseUntil: Date.now() + 1500 }));
    const started = Date.now();
    const reply = await ensure(req(images.takeover));
    const waited = Date.now() - started;
    assert.ok(reply.result === "ready" && reply.pulled, JSON.stringify(reply));
    assert.ok(waited >= 1400 && waited < 20_000, `waited ${waited} ms for the dead claim's lease`);
  });
});
