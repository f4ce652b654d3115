// startNodeApi over a real nats-server and real TLS sockets, with the runtime-adapter's side of
// the bus played by this test (its replies can be held back, which a real runtime cannot be made
// to do on cue): clients that go away while the node-api waits for the runtime, the UID check of
// exec paths, and dialling a TLS streaming server.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request as httpsRequest } from "node:https";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { connect as tlsConnect, createServer as createTlsServer, type TLSSocket } from "node:tls";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { connectBus, ensureStreams, serve } from "@natslet/bus";
import { NatsletError, queues, runtimeMethods, subjects, type ObservedPod, type Parser, type RuntimeMethod, type RuntimeReply, type RuntimeRequest } from "@natslet/contracts";
import { createLogger } from "@natslet/telemetry";
import { startNats, type NatsServer } from "@natslet/testkit";
import { Registry } from "prom-client";
import { openWatchers } from "./log-stream.js";
import { startNodeApi, type NodeApi } from "./service.js";
import { servingCert, type ServingCert } from "./tls.js";

const NODE = "svc-itest";
const root = mkdtempSync(join(tmpdir(), "natslet-node-api-svc-"));
const logPath = join(root, "0.log");
const bigLogPath = join(root, "big.log");
let nats: NatsServer;
let nc: NatsConnection;
let api: NodeApi;
let tls: ServingCert;
const subs: Subscription[] = [];
/** How long the stand-in runtime holds each reply back, and what it was asked. */
const delayMs: Partial<Record<RuntimeMethod, number>> = {};
const calls: RuntimeMethod[] = [];
/** GetPod answers NotFound (the pod is gone from the runtime) while set. */
let podGone = false;
let streamingUrl = "";

const pod: ObservedPod = {
  uid: "uid-1", name: "p", namespace: "ns", sandboxes: [],
  containers: [
    { id: "c1", name: "app", sandboxId: "s1", attempt: 0, state: "running", createdAt: 1, image: "i", imageRef: "i", specHash: "h", logPath },
    { id: "c2", name: "big", sandboxId: "s1", attempt: 0, state: "running", createdAt: 1, image: "i", imageRef: "i", specHash: "h", logPath: bigLogPath },
  ],
};

function answer<M extends RuntimeMethod>(method: M, reply: (req: RuntimeRequest<M>) => RuntimeReply<M>): void {
  subs.push(
    serve(nc, { subject: subjects.runtimeRpc(NODE, method), queue: queues.runtimeAdapter, request: runtimeMethods[method].request as Parser<RuntimeRequest<M>> }, async (req) => {
      calls.push(method);
      await sleep(delayMs[method] ?? 0);
      return reply(req);
    }),
  );
}

before(async () => {
  nats = await startNats();
  nc = await connectBus({ servers: nats.url, name: "node-api-svc-itest" });
  await ensureStreams(nc);
  writeFileSync(logPath, "2026-01-02T03:04:05.000000001Z stdout F hello\n");
  writeFileSync(bigLogPath, `2026-01-02T03:04:05.000000001Z stdout F ${"z".repeat(1000)}\n`.repeat(4096)); // ~4 MiB
  answer("ListPods", () => ({ pods: { [pod.uid]: pod }, observedAt: 1 }));
  answer("GetPod", () => {
    if (podGone) throw new NatsletError("NotFound", `pod ${pod.uid} not found`);
    return pod;
  });
  answer("Exec", () => ({ url: streamingUrl }));
  tls = await servingCert({ nodeName: NODE, nodeIp: "127.0.0.1" });
  api = await startNodeApi(
    { nodeName: NODE, address: "127.0.0.1", port: 0, cert: tls.cert, key: tls.key, anonymous: true, podLogsDir: root },
    {
      nc,
      reviews: { tokenReview: () => Promise.resolve(undefined), accessReview: () => Promise.resolve({ allowed: true, reason: "" }) },
      log: createLogger({ service: "node-api", node: NODE, level: "silent" }),
      registry: new Registry(),
    },
  );
});

after(async () => {
  await api?.stop();
  for (const s of subs) s.unsubscribe();
  await nc?.close();
  await nats?.stop();
  rmSync(root, { recursive: true, force: true });
});

beforeEach(() => {
  for (const k of Object.keys(delayMs)) delete delayMs[k as RuntimeMethod];
  calls.length = 0;
  podGone = false;
});

/** A streaming server stand-in: counts connections, answers 101 and a greeting, then closes. */
async function backend(secure: boolean): Promise<{ server: Server; connections: () => number }> {
  let n = 0;
  const onSocket = (s: Socket | TLSSocket) => {
    n++;
    s.once("data", () => s.end("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nhello from the runtime"));
    s.on("error", () => undefined);
  };
  const server = secure ? createTlsServer({ cert: tls.cert, key: tls.key }, onSocket) : createServer(onSocket);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, connections: () => n };
}

function upgradeRequest(path: string): TLSSocket {
  const s = tlsConnect({ host: "127.0.0.1", port: api.port, rejectUnauthorized: false });
  s.on("error", () => undefined);
  s.write(`GET ${path} HTTP/1.1\r\nHost: node\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`);
  return s;
}

async function untilQuiet(): Promise<void> {
  for (let i = 0; i < 40 && (api.openStreams() !== 0 || openWatchers.count !== 0); i++) await sleep(50);
}

test("a log follower that disconnects while the node-api waits for the runtime is not followed", async () => {
  delayMs.ListPods = 600;
  delayMs.GetPod = 600;
  const req = httpsRequest({ host: "127.0.0.1", port: api.port, path: "/containerLogs/ns/p/app?follow=true", rejectUnauthorized: false });
  req.on("error", () => undefined);
  req.end();
  await sleep(200);
  req.destroy(); // gone before the runtime answered
  await sleep(1500);
  await untilQuiet();
  assert.ok(calls.includes("GetPod"), "the runtime was asked");
  assert.equal(api.openStreams(), 0, "no log stream left open");
  assert.equal(openWatchers.count, 0, "no file watcher left open");
});

test("an exec client that disconnects during the runtime calls starts no session and dials nothing", async () => {
  const b = await backend(false);
  try {
    streamingUrl = `http://127.0.0.1:${(b.server.address() as { port: number }).port}/exec/token`;
    delayMs.GetPod = 600;
    const s = upgradeRequest("/exec/ns/p/uid-1/app?command=ls&output=1");
    await sleep(200);
    s.destroy(); // gone while GetPod is pending
    await sleep(1500);
    await untilQuiet();
    assert.deepEqual(calls, ["GetPod"], "no Exec after the client left");
    assert.equal(b.connections(), 0, "the streaming server was not dialled");
    assert.equal(api.openStreams(), 0, "no stream counted as open");
  } finally {
    b.server.close();
  }
});

for (const secure of [false, true]) {
  test(`exec is proxied to an ${secure ? "https" : "http"} streaming URL`, async () => {
    const b = await backend(secure);
    try {
      streamingUrl = `${secure ? "https" : "http"}://127.0.0.1:${(b.server.address() as { port: number }).port}/exec/token`;
      const s = upgradeRequest("/exec/ns/p/uid-1/app?command=ls&output=1");
      let got = "";
      s.on("data", (d: Buffer) => (got += d.toString()));
      await new Promise((r) => s.on("close", r));
      assert.match(got, /^HTTP\/1\.1 101 Switching Protocols\r\n[\s\S]*hello from the runtime$/);
      assert.equal(b.connections(), 1);
      await untilQuiet();
      assert.equal(api.openStreams(), 0);
    } finally {
      b.server.close();
    }
  });
}

test("an exec path's UID must belong to its namespace and pod name", async () => {
  const s = upgradeRequest("/exec/ns/someone-else/uid-1/app?command=ls&output=1");
  let got = "";
  s.on("data", (d: Buffer) => (got += d.toString()));
  await new Promise((r) => s.on("close", r));
  assert.match(got, /^HTTP\/1\.1 404 /);
  assert.ok(!calls.includes("Exec"), "no Exec for another pod's UID");
});

test("a back-pressured log stream leaves no listener behind per write", async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
  process.on("warning", onWarning);
  try {
    const bytes = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest({ host: "127.0.0.1", port: api.port, path: "/containerLogs/ns/p/big", rejectUnauthorized: false }, (res) => {
        let n = 0;
        res.on("data", (d: Buffer) => {
          n += d.length;
          res.pause(); // a slow reader: the node-api's writes wait for 'drain' again and again
          setTimeout(() => res.resume(), 1);
        });
        res.on("end", () => resolve(n));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end();
    });
    assert.equal(bytes, 4096 * 1001);
    await sleep(50); // warnings are emitted on the next tick
    assert.deepEqual(warnings.filter((w) => w.includes("MaxListeners")), []);
  } finally {
    process.off("warning", onWarning);
  }
});

test("a follow ends when the runtime no longer knows the pod, even without a ContainerDied event", { timeout: 20_000 }, async () => {
  const started = Date.now();
  const body = await new Promise<string>((resolve, reject) => {
    const req = httpsRequest({ host: "127.0.0.1", port: api.port, path: "/containerLogs/ns/p/app?follow=true", rejectUnauthorized: false }, (res) => {
      let text = "";
      res.on("data", (d: Buffer) => {
        text += d.toString();
        podGone = true; // deleted, and the PLEG's event was missed
      });
      res.on("end", () => resolve(text));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
  assert.equal(body, "hello\n");
  // The follow's re-check runs every 10 s.
  assert.ok(Date.now() - started < 15_000, `ended after ${Date.now() - started} ms`);
  await untilQuiet();
  assert.equal(api.openStreams(), 0);
});

test("a request target that is no URL is a 404 (the node-api goes on serving)", async () => {
  for (const upgrade of [false, true]) {
    const s = tlsConnect({ host: "127.0.0.1", port: api.port, rejectUnauthorized: false });
    s.on("error", () => undefined);
    const headers = upgrade ? "Connection: Upgrade\r\nUpgrade: websocket\r\n" : "Connection: close\r\n";
    s.write(`GET http://[x/ HTTP/1.1\r\nHost: node\r\n${headers}\r\n`);
    let got = "";
    s.on("data", (d: Buffer) => (got += d.toString()));
    await new Promise((r) => s.on("close", r));
    assert.match(got, /^HTTP\/1\.1 404 /, upgrade ? "upgrade" : "plain");
  }
  const healthy = await new Promise<number | undefined>((resolve, reject) => {
    httpsRequest({ host: "127.0.0.1", port: api.port, path: "/healthz", rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode);
    }).on("error", reject).end();
  });
  assert.equal(healthy, 200);
});
