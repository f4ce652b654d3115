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
import { PullRecordStore, recordKeys } from "./pull-records-store.js";
import type { PulledRecord } from "./pull-records.js";
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
const images = { open: "", latest: "", missing: "", shared: "", priv: "", procShared: "", takeover: "", guarded: "", anon: "" };
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
  // Own image IDs (a random layer each), so no other test's pulls touch their records.
  images.guarded = (await priv.push(busybox, "private/guarded", "1", { randomLayerBytes: 256 * 1024 })).ref;
  images.anon = (await open.push(busybox, "natslet/anon", "1", { randomLayerBytes: 256 * 1024 })).ref;
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
    // kubelet 1.35 (KubeletEnsureSecretPulledImages on): the preloaded image may be used by any pod.
    assert.deepEqual(await eventsOf(r.pod.uid, 1), [
      ["Normal", "Pulled", `Container image "${containerd.busyboxImage}" already present on machine and can be accessed by the pod`],
    ]);
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

/** A dockerconfigjson Secret for the private registry; its uid as the API server assigned it. */
async function pullSecret(name: string, password: string): Promise<string> {
  const auths = { [priv.host]: { username: AUTH.username, password, auth: Buffer.from(`${AUTH.username}:${password}`).toString("base64") } };
  const created = await core.createNamespacedSecret({
    namespace: "default",
    body: {
      metadata: { name, namespace: "default" },
      type: "kubernetes.io/dockerconfigjson",
      data: { ".dockerconfigjson": Buffer.from(JSON.stringify({ auths })).toString("base64") },
    },
  });
  return created.metadata?.uid ?? "";
}

/** Requests for `repository`'s manifests (HEAD or GET, any status): what a pull asks the registry first. */
function manifestRequests(reg: OciRegistry, repository: string): Array<{ method: string; status: number }> {
  return reg.requests().filter((r) => r.path.startsWith(`/v2/${repository}/manifests/`));
}

/** The access log is written after the answer: give it a moment before counting. */
async function settledManifestRequests(reg: OciRegistry, repository: string, atLeast: number): Promise<Array<{ method: string; status: number }>> {
  for (let i = 0; i < 50 && manifestRequests(reg, repository).length < atLeast; i++) await sleep(20);
  await sleep(100);
  return manifestRequests(reg, repository);
}

describe("ensure secret pulled images (NeverVerifyPreloadedImages)", () => {
  test("a private image pulled with one pod's secret: others need credentials the record knows, or the registry's yes", async () => {
    const uidA = await pullSecret("guarded-a", AUTH.password);
    const uidC = await pullSecret("guarded-c", AUTH.password); // another Secret, the same credentials
    await pullSecret("guarded-wrong", "wrong");

    // Pod A, with the right secret: pulled (and recorded).
    const a = await ensure(req(images.guarded, { pullSecrets: ["guarded-a"], policy: "IfNotPresent" }));
    assert.ok(a.result === "ready" && a.pulled, JSON.stringify(a));
    const { credentials } = await openBuckets(client);
    const key = recordKeys.pulled(NODE, a.imageRef);
    const recordAfterA = (await credentials.get(key))?.json<PulledRecord>();
    const repository = `${priv.host}/private/guarded`;
    assert.deepEqual(recordAfterA?.repositories[repository]?.secrets?.map((s) => [s.name, s.uid]), [["guarded-a", uidA]]);
    assert.match(recordAfterA?.repositories[repository]?.secrets?.[0]?.credentialHash ?? "", /^[0-9a-f]{64}$/);

    // Pod B, no secret, IfNotPresent: the image is on the node, but B asks the registry, which says 401.
    const mustAuthenticate = async () =>
      (await Promise.all(replicas.map((r) => metric(r.registry, "natslet_image_credential_checks_total", { result: "mustAuthenticate" })))).reduce((x, y) => x + y, 0);
    const checksBefore = await mustAuthenticate();
    const beforeB = manifestRequests(priv, "private/guarded").length;
    const b = req(images.guarded, { policy: "IfNotPresent" });
    const replyB = await ensure(b);
    assert.ok(replyB.result === "waiting" && replyB.reason === "ErrImagePull", JSON.stringify(replyB));
    assert.match(replyB.message, /401|unauthorized/i);
    assert.equal((await mustAuthenticate()) - checksBefore, 1, "one check found no credentials for B");
    const asked = (await settledManifestRequests(priv, "private/guarded", beforeB + 1)).slice(beforeB);
    assert.ok(asked.length > 0 && asked.every((r) => r.status === 401), `the registry was asked and refused: ${JSON.stringify(asked)}`);
    const eventsB = await eventsOf(b.pod.uid, 3);
    assert.deepEqual(eventsB[0], ["Normal", "Pulling", `Pulling image "${images.guarded}"`]);
    assert.ok(!eventsB.some(([, reason]) => reason === "Pulled"), JSON.stringify(eventsB));
    // Then back-off, as for any failed pull.
    const againB = await ensure(b);
    assert.equal(againB.result === "waiting" && againB.reason, "ImagePullBackOff");

    // Pod B with Never: it cannot show it may use the image, and must not ask: ErrImageNeverPull.
    const beforeNever = manifestRequests(priv, "private/guarded").length;
    const never = req(images.guarded, { policy: "Never" });
    const message = `Container image "${images.guarded}" is not present with pull policy of Never`;
    assert.deepEqual(await ensure(never), { result: "waiting", reason: "ErrImageNeverPull", message });
    assert.deepEqual(await eventsOf(never.pod.uid, 2), [
      ["Warning", "ErrImageNeverPull", message],
      ["Warning", "Failed", "Error: ErrImageNeverPull"],
    ]);
    assert.equal((await settledManifestRequests(priv, "private/guarded", 0)).length, beforeNever, "Never did not ask the registry");

    // A pod with wrong credentials: the registry refuses them too.
    const wrong = await ensure(req(images.guarded, { pullSecrets: ["guarded-wrong"], policy: "IfNotPresent" }));
    assert.ok(wrong.result === "waiting" && wrong.reason === "ErrImagePull", JSON.stringify(wrong));
    assert.match(wrong.message, /401|unauthorized/i);

    // Pod C, another Secret holding the same credentials: allowed from the node, no registry request.
    const beforeC = (await settledManifestRequests(priv, "private/guarded", 0)).length;
    const c = req(images.guarded, { pullSecrets: ["guarded-c"], policy: "IfNotPresent" });
    const replyC = await ensure(c);
    assert.deepEqual(replyC, { result: "ready", imageRef: a.imageRef, pulled: false });
    assert.deepEqual(await eventsOf(c.pod.uid, 1), [
      ["Normal", "Pulled", `Container image "${images.guarded}" already present on machine and can be accessed by the pod`],
    ]);
    // The same with Never.
    assert.deepEqual(await ensure(req(images.guarded, { pullSecrets: ["guarded-c"], policy: "Never" })), { result: "ready", imageRef: a.imageRef, pulled: false });
    assert.equal((await settledManifestRequests(priv, "private/guarded", 0)).length, beforeC, "C used the image without asking the registry");

    // The record learnt C's Secret, and holds hashes, never the credentials.
    const recordText = (await credentials.get(key))?.string() ?? "";
    const record = JSON.parse(recordText) as PulledRecord;
    assert.deepEqual(record.repositories[repository]?.secrets?.map((s) => s.uid).sort(), [uidA, uidC].sort());
    assert.equal(new Set(record.repositories[repository]?.secrets?.map((s) => s.credentialHash)).size, 1, "same credentials, same hash");
    assert.ok(!recordText.includes(AUTH.password) && !recordText.includes(Buffer.from(`${AUTH.username}:${AUTH.password}`).toString("base64")), recordText);
  });

  test("an image pulled anonymously stays usable by any pod, without asking the registry again", async () => {
    const first = await ensure(req(images.anon, { policy: "IfNotPresent" }));
    assert.ok(first.result === "ready" && first.pulled, JSON.stringify(first));
    const before = (await settledManifestRequests(open, "natslet/anon", 1)).length;
    assert.ok(before > 0, "the first pull asked the registry");
    const other = req(images.anon, { policy: "IfNotPresent" });
    assert.deepEqual(await ensure(other), { result: "ready", imageRef: first.imageRef, pulled: false });
    assert.deepEqual(await ensure(req(images.anon, { policy: "Never" })), { result: "ready", imageRef: first.imageRef, pulled: false });
    assert.deepEqual(await eventsOf(other.pod.uid, 1), [
      ["Normal", "Pulled", `Container image "${images.anon}" already present on machine and can be accessed by the pod`],
    ]);
    assert.equal((await settledManifestRequests(open, "natslet/anon", 0)).length, before, "no new manifest request");
    const { credentials } = await openBuckets(client);
    const record = (await credentials.get(recordKeys.pulled(NODE, first.imageRef)))?.json<PulledRecord>();
    assert.deepEqual(record?.repositories[`${open.host}/natslet/anon`], { anonymous: true });
    assert.equal(await new PullRecordStore(credentials, NODE).intentExists(normalizedImage(images.anon)), false, "the pull's intent was dropped");
  });

  test("a preloaded image (imported, never pulled by us) is usable by any pod without a pull", async () => {
    for (const policy of ["IfNotPresent", "Never"] as const) {
      const r = req(containerd.pauseImage, { policy, pullSecrets: [] });
      const reply = await ensure(r);
      assert.ok(reply.result === "ready" && !reply.pulled && /^sha256:/.test(reply.imageRef), JSON.stringify(reply));
      assert.deepEqual(await eventsOf(r.pod.uid, 1), [
        ["Normal", "Pulled", `Container image "${containerd.pauseImage}" already present on machine and can be accessed by the pod`],
      ]);
    }
    // Remembered as preloaded under its name, so a later pull of the same image ID elsewhere cannot change that.
    const status = await ensure(req(containerd.pauseImage, { policy: "Never" }));
    assert.ok(status.result === "ready");
    const { credentials } = await openBuckets(client);
    const record = (await credentials.get(recordKeys.pulled(NODE, status.imageRef)))?.json<PulledRecord>();
    assert.deepEqual(record?.repositories["localhost/natslet/pause"], { preloaded: true });
  });

  test("a pull intent left behind (a puller that crashed before writing its record) makes the image one to verify", async () => {
    const { credentials } = await openBuckets(client);
    const intent = `${recordKeys.intents(NODE, normalizedImage(containerd.pauseImage))}.crashed`;
    await credentials.put(intent, JSON.stringify({ since: Date.now() }));
    try {
      const r = req(containerd.pauseImage, { policy: "Never" });
      const reply = await ensure(r);
      assert.equal(reply.result === "waiting" && reply.reason, "ErrImageNeverPull", JSON.stringify(reply));
    } finally {
      await credentials.purge(intent);
    }
    assert.equal((await ensure(req(containerd.pauseImage, { policy: "Never" }))).result, "ready", "without the intent: preloaded again");
  });
});

describe("pull records and image GC", () => {
  test("a GC run drops the records of images no longer on the node, and keeps the others", async () => {
    const { credentials } = await openBuckets(client);
    const gone = "sha256:" + "0".repeat(64);
    const goneKey = recordKeys.pulled(NODE, gone);
    await credentials.put(goneKey, JSON.stringify({ imageRef: gone, updated: Date.now() - 60_000, repositories: { "r.example/x": { anonymous: true } } } satisfies PulledRecord));
    const anon = await ensure(req(images.anon, { policy: "IfNotPresent" }));
    assert.ok(anon.result === "ready");
    const keptKey = recordKeys.pulled(NODE, anon.imageRef);
    assert.ok((await credentials.get(keptKey))?.operation === "PUT");
    const [a] = replicas;
    assert.ok(a);
    await a.manager.collectNow();
    const after = await credentials.get(goneKey);
    assert.ok(after === null || after.operation !== "PUT", "the record of an image that is gone was pruned");
    assert.equal((await credentials.get(keptKey))?.operation, "PUT", "a present image's record stays");
  });
});
