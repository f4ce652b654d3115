// The node's HTTPS API (services/node-api) as users reach it: the real kubectl against the real
// kube-apiserver, which calls the node-api with its kubelet-client certificate — logs, exec,
// attach, port-forward — plus the node-api's own security, stats and reliability.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { request as httpsRequest, type RequestOptions } from "node:https";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { run, testBinary } from "@natslet/testkit";
import { createPod, podName, startNode, waitForPod, type Node } from "./harness.js";

let node: Node;
let apiPort = 0;
before(async () => {
  node = await startNode({
    env: {
      // Rotate often and keep many files, so rotation happens during the tests without losing lines.
      NATSLET_CONTAINER_LOG_MAX_BYTES: String(1024 * 1024),
      NATSLET_CONTAINER_LOG_MAX_FILES: "100",
      NATSLET_CONTAINER_LOG_ROTATION_PERIOD_MS: "1000",
    },
  });
  apiPort = Number(/"port":(\d+)/.exec(readFileSync(join(serviceLog("node-api")), "utf8"))?.[1]);
  assert.ok(apiPort > 0, "node-api port from its ready line");
});
after(async () => {
  await node?.stop();
});

function serviceLog(name: string): string {
  // startNatslet writes <dir>/<service>.log; the dir is the parent of podLogsDir.
  return join(node.natslet.podLogsDir, "..", `${name}.log`);
}

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real kubectl with the admin kubeconfig. */
function kubectl(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(testBinary("kubectl"), [`--kubeconfig=${node.controlPlane.kubeconfig}`, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? "");
  });
}

/** A long-running kubectl; resolves `until` once its stdout satisfies `done`, then kills it. */
async function kubectlUntil(args: string[], done: (stdout: string) => boolean, timeoutMs = 30_000): Promise<string> {
  const child = spawn(testBinary("kubectl"), [`--kubeconfig=${node.controlPlane.kubeconfig}`, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  try {
    return await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`kubectl ${args.join(" ")}: not done in ${timeoutMs} ms; stdout tail ${JSON.stringify(stdout.slice(-300))}, stderr ${stderr}`)), timeoutMs);
      child.stdout.on("data", (d: Buffer) => {
        stdout += d.toString();
        if (done(stdout)) {
          clearTimeout(timer);
          resolve(stdout);
        }
      });
      child.on("close", (code) => {
        clearTimeout(timer);
        if (done(stdout)) resolve(stdout);
        else reject(new Error(`kubectl ${args.join(" ")} exited ${code}: ${stderr}`));
      });
    });
  } finally {
    child.kill("SIGKILL");
  }
}

const admin = () => ({
  ca: readFileSync(node.controlPlane.ca.cert),
  cert: readFileSync(node.controlPlane.apiserverKubeletClient.cert),
  key: readFileSync(node.controlPlane.apiserverKubeletClient.key),
});

/** A request straight to the node-api. */
function nodeApi(path: string, opts: RequestOptions = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: "127.0.0.1", port: apiPort, path, ca: readFileSync(node.controlPlane.ca.cert), ...opts }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

async function nodeApiMetric(name: string): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${node.natslet.healthPort("node-api")}/metrics`);
  const text = await res.text();
  let sum = 0;
  for (const line of text.split("\n")) if (line.startsWith(name)) sum += Number(line.split(" ").pop());
  return sum;
}

async function waitFor(what: string, ok: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ok()) return;
    await sleep(200);
  }
  throw new Error(`not ${what} within ${timeoutMs} ms`);
}

const running = (p: { status?: { phase?: string } }) => p.status?.phase === "Running";

async function startPod(prefix: string, script: string, extra: Record<string, unknown> = {}): Promise<string> {
  const name = podName(prefix);
  await createPod(node, name, { containers: [{ name: "app", image: node.image, command: ["sh", "-c", script], ...extra }] });
  await waitForPod(node, name, running, "Running");
  return name;
}

describe("kubectl logs", () => {
  let fixed: string;
  before(async () => {
    fixed = await startPod("logs", "for i in 1 2 3 4 5; do echo out-$i; done; echo err-1 >&2; sleep 3600");
    await waitFor("all lines written", async () => (await kubectl(["logs", fixed])).stdout.includes("err-1"));
  });

  test("plain: stdout and stderr", async () => {
    const r = await kubectl(["logs", fixed]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trimEnd().split("\n").sort(), ["err-1", "out-1", "out-2", "out-3", "out-4", "out-5"]);
  });

  test("--tail", async () => {
    const r = await kubectl(["logs", fixed, "--tail=2"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trimEnd().split("\n").length, 2);
    const zero = await kubectl(["logs", fixed, "--tail=0"]);
    assert.equal(zero.stdout, "");
  });

  test("--timestamps", async () => {
    const r = await kubectl(["logs", fixed, "--timestamps"]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split("\n");
    assert.equal(lines.length, 6);
    for (const l of lines) assert.match(l, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z (out|err)-\d$/);
  });

  test("--limit-bytes and --since", async () => {
    assert.equal((await kubectl(["logs", fixed, "--limit-bytes=8"])).stdout.length, 8);
    const since = await kubectl(["logs", fixed, "--since-time=2099-01-01T00:00:00Z"]);
    assert.equal(since.stdout, "");
    assert.equal((await kubectl(["logs", fixed, "--since=1h"])).stdout.trimEnd().split("\n").length, 6);
  });

  test("-f while the container writes", async () => {
    const ticker = await startPod("ticker", "i=0; while true; do echo tick-$i; i=$((i+1)); sleep 0.2; done");
    const out = await kubectlUntil(["logs", "-f", ticker], (s) => {
      const ticks = [...s.matchAll(/tick-(\d+)/g)].map((m) => Number(m[1]));
      return ticks.length >= 15;
    });
    const ticks = [...out.matchAll(/tick-(\d+)/g)].map((m) => Number(m[1]));
    assert.deepEqual(ticks, ticks.map((_, i) => ticks[0]! + i), "consecutive ticks");
    // The killed kubectl's stream is closed down to the node-api: nothing stays open.
    await waitFor("log streams freed", async () => (await nodeApiMetric("natslet_node_api_open_streams")) === 0);
    assert.equal(await nodeApiMetric("natslet_node_api_log_watchers"), 0);
  });

  test("-f ends by itself when the container exits", async () => {
    const name = podName("ends");
    await createPod(node, name, { restartPolicy: "Never", containers: [{ name: "app", image: node.image, command: ["sh", "-c", "echo first; sleep 3; echo last"] }] });
    await waitForPod(node, name, (p) => p.status?.phase === "Running" || p.status?.phase === "Succeeded", "started");
    const started = Date.now();
    const r = await kubectl(["logs", "-f", name], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "first\nlast\n");
    assert.ok(Date.now() - started < 20_000, "the follow ended soon after the exit");
  });

  test("--previous after a restart", async () => {
    const name = podName("prev");
    await createPod(node, name, { containers: [{ name: "app", image: node.image, command: ["sh", "-c", "echo started-$(cat /proc/sys/kernel/random/uuid); sleep 6; exit 1"] }] });
    await waitForPod(node, name, (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, "restarted", 60_000);
    const prev = await kubectl(["logs", name, "--previous"]);
    assert.equal(prev.code, 0, prev.stderr);
    assert.match(prev.stdout, /^started-[0-9a-f-]{36}\n$/);
    const now = await kubectl(["logs", name]);
    assert.match(now.stdout, /^started-[0-9a-f-]{36}\n$/);
    assert.notEqual(now.stdout, prev.stdout, "the current attempt's log is another file");
  });

  test("a large log across rotations: streamed whole, with bounded memory", async (t) => {
    const pid = node.natslet.process("node-api").pid!;
    const peakBefore = peakRssKb(pid);
    const lines = 500_000;
    const pad = "x".repeat(100);
    const bulk = await startPod("bulk", `i=0; while [ $i -lt ${lines} ]; do echo "seq-$i-${pad}"; i=$((i+1)); done; echo bulk-done; sleep 3600`);
    // Follow from the start while it writes and rotates (1 MiB files): every line, in order.
    const followed = await kubectlStream(["logs", "-f", bulk], "bulk-done", 300_000);
    assert.equal(followed.lines, lines + 1, "every line followed across rotations");
    assert.equal(followed.outOfOrder, 0);
    const files = (await run("ls", [join(node.natslet.podLogsDir, `default_${bulk}_${(await node.core.readNamespacedPod({ name: bulk, namespace: "default" })).metadata?.uid}`, "app")])).trim().split("\n");
    assert.ok(files.length > 2, `rotated files exist: ${files.join(" ")}`);
    // The whole log again, not followed, reading the rotated files. Through both reads the
    // node-api's peak memory stays far below the log's size.
    const whole = await kubectlStream(["logs", bulk], "bulk-done", 180_000);
    assert.equal(whole.lines, lines + 1);
    assert.ok(whole.bytes > 50e6, `${whole.bytes} bytes`);
    // Loading the log whole would take at least its size; streaming costs a few buffers plus
    // garbage the GC has not collected yet, whatever the size.
    const grewKb = peakRssKb(pid) - peakBefore;
    // Measured here: ~28 MiB of growth for a 22 MB log and for a 56 MB one alike.
    assert.ok(grewKb < 40 * 1024, `node-api peak RSS grew ${grewKb} KiB streaming ${whole.bytes} bytes twice`);
    t.diagnostic(`${whole.bytes} bytes in ${files.length} files, followed and read whole; node-api peak RSS ${peakBefore} → ${peakBefore + grewKb} KiB`);
  });
});

/** kubectl streaming into a counter (never held whole): lines, bytes, whether seq-N came in order. */
function kubectlStream(args: string[], last: string, timeoutMs: number): Promise<{ lines: number; bytes: number; outOfOrder: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(testBinary("kubectl"), [`--kubeconfig=${node.controlPlane.kubeconfig}`, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let rest = "";
    let lines = 0;
    let bytes = 0;
    let next = 0;
    let outOfOrder = 0;
    let stderr = "";
    let finished = false;
    const finish = () => {
      finished = true;
      clearTimeout(timer);
      child.kill("SIGKILL");
      resolve({ lines, bytes, outOfOrder });
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`kubectl ${args.join(" ")}: ${lines} lines in ${timeoutMs} ms; ${stderr}`));
    }, timeoutMs);
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdout.on("data", (d: Buffer) => {
      if (finished) return;
      bytes += d.length;
      const parts = (rest + d.toString()).split("\n");
      rest = parts.pop()!;
      for (const l of parts) {
        lines++;
        const m = /^seq-(\d+)-/.exec(l);
        if (m) {
          if (Number(m[1]) !== next) outOfOrder++;
          next = Number(m[1]) + 1;
        }
        if (l === last) return finish();
      }
    });
    child.on("close", () => {
      if (!finished) {
        clearTimeout(timer);
        reject(new Error(`kubectl ${args.join(" ")} ended after ${lines} lines: ${stderr}`));
      }
    });
  });
}

function peakRssKb(pid: number): number {
  return Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
}

describe("kubectl exec, attach, port-forward", () => {
  let shell: string;
  before(async () => {
    shell = await startPod("shell", "i=0; while true; do echo attach-$i; i=$((i+1)); sleep 0.3; done");
  });

  test("exec propagates stdout and the exit code", async () => {
    const r = await kubectl(["exec", shell, "--", "sh", "-c", "echo hello-exec; echo to-stderr >&2; exit 3"]);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, "hello-exec\n");
    assert.match(r.stderr, /to-stderr/);
    const ok = await kubectl(["exec", shell, "--", "true"]);
    assert.equal(ok.code, 0, ok.stderr);
  });

  test("exec -i with stdin", async () => {
    const r = await kubectl(["exec", "-i", shell, "--", "sh", "-c", "cat; echo done"], { input: "line-1\nline-2\n" });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "line-1\nline-2\ndone\n");
  });

  test("attach shows the main process's output", async () => {
    const out = await kubectlUntil(["attach", shell], (s) => (s.match(/attach-\d+/g) ?? []).length >= 3);
    assert.match(out, /attach-\d+\nattach-\d+\n/);
  });

  test("port-forward to busybox httpd", async () => {
    const web = await startPod("web", "mkdir -p /www && echo hello-from-httpd > /www/index.html && exec httpd -f -p 8080 -h /www");
    const child = spawn(testBinary("kubectl"), [`--kubeconfig=${node.controlPlane.kubeconfig}`, "port-forward", `pod/${web}`, ":8080"], { stdio: ["ignore", "pipe", "pipe"] });
    try {
      const local = await new Promise<number>((resolve, reject) => {
        let out = "";
        const timer = setTimeout(() => reject(new Error(`port-forward did not start: ${out}`)), 30_000);
        const onData = (d: Buffer) => {
          out += d.toString();
          const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(Number(m[1]));
          }
        };
        child.stdout.on("data", onData);
        child.stderr.on("data", onData);
      });
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`http://127.0.0.1:${local}/`);
        assert.equal(res.status, 200);
        assert.equal(await res.text(), "hello-from-httpd\n");
      }
    } finally {
      child.kill("SIGKILL");
    }
    await waitFor("port-forward stream freed", async () => (await nodeApiMetric("natslet_node_api_open_streams")) === 0);
  });
});

describe("security", () => {
  test("no credentials: 401", async () => {
    assert.equal((await nodeApi("/pods")).status, 401);
    assert.equal((await nodeApi("/containerLogs/default/x/y")).status, 401);
  });

  test("the API server's kubelet-client certificate: allowed", async () => {
    const r = await nodeApi("/pods", admin());
    assert.equal(r.status, 200, r.body);
    assert.equal((JSON.parse(r.body) as { kind: string }).kind, "PodList");
    assert.equal((await nodeApi("/healthz", admin())).body, "ok");
  });

  test("a ServiceAccount token without RBAC: 403; an invalid token: 401", async () => {
    const sa = podName("nobody");
    await node.core.createNamespacedServiceAccount({ namespace: "default", body: { metadata: { name: sa } } });
    const tr = await node.core.createNamespacedServiceAccountToken({ name: sa, namespace: "default", body: { spec: { audiences: [], expirationSeconds: 600 } } });
    const token = tr.status?.token ?? "";
    assert.ok(token);
    const r = await nodeApi("/pods", { headers: { authorization: `Bearer ${token}` } });
    assert.equal(r.status, 403, r.body);
    assert.match(r.body, new RegExp(`user=system:serviceaccount:default:${sa}, verb=get, resource=nodes, subresource\\(s\\)=\\[pods proxy\\]`));
    assert.equal((await nodeApi("/stats/summary", { headers: { authorization: `Bearer ${token}` } })).status, 403);
    assert.equal((await nodeApi("/pods", { headers: { authorization: "Bearer not-a-token" } })).status, 401);
  });

  test("a client certificate of the right CA with an unknown user: 403", async () => {
    const dir = node.controlPlane.dir;
    const key = join(dir, "stranger.key");
    const csr = join(dir, "stranger.csr");
    const crt = join(dir, "stranger.crt");
    const ext = join(dir, "stranger.ext");
    writeFileSync(ext, "extendedKeyUsage=clientAuth\n");
    await run("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key]);
    await run("openssl", ["req", "-new", "-key", key, "-out", csr, "-subj", "/CN=stranger"]);
    await run("openssl", ["x509", "-req", "-in", csr, "-CA", node.controlPlane.ca.cert, "-CAkey", node.controlPlane.ca.key, "-CAcreateserial", "-out", crt, "-days", "1", "-extfile", ext]);
    const r = await nodeApi("/exec/default/x/y?command=ls&output=1", { method: "POST", cert: readFileSync(crt), key: readFileSync(key) });
    assert.equal(r.status, 403, r.body);
    assert.match(r.body, /user=stranger, verb=create, resource=nodes, subresource\(s\)=\[proxy\]/);
  });
});

describe("stats", () => {
  test("/stats/summary and /metrics/resource have real CPU and memory numbers", async () => {
    const name = await startPod("busy", "while true; do :; done", { resources: { limits: { cpu: "200m" } } });
    const uid = (await node.core.readNamespacedPod({ name, namespace: "default" })).metadata?.uid;
    type Summary = {
      node: { nodeName: string; cpu: { usageNanoCores?: number; usageCoreNanoSeconds: number }; memory: { workingSetBytes: number } };
      pods: { podRef: { name: string; uid: string }; containers: { name: string; cpu: { usageNanoCores?: number; usageCoreNanoSeconds?: number }; memory: { workingSetBytes?: number } }[] }[];
    };
    let summary: Summary | undefined;
    await waitFor("CPU rates in the summary", async () => {
      const r = await nodeApi("/stats/summary", admin());
      assert.equal(r.status, 200, r.body);
      summary = JSON.parse(r.body) as Summary;
      const pod = summary.pods.find((p) => p.podRef.uid === uid);
      return (pod?.containers[0]?.cpu.usageNanoCores ?? 0) > 0 && (summary.node.cpu.usageNanoCores ?? 0) > 0;
    }, 30_000);
    const s = summary!;
    assert.equal(s.node.nodeName, node.name);
    assert.ok(s.node.memory.workingSetBytes > 0);
    const app = s.pods.find((p) => p.podRef.uid === uid)!.containers[0]!;
    assert.equal(app.name, "app");
    // A busy loop under a 200m limit: between a little and the limit (plus measurement slack).
    assert.ok(app.cpu.usageNanoCores! > 20e6 && app.cpu.usageNanoCores! < 400e6, `usageNanoCores ${app.cpu.usageNanoCores}`);
    assert.ok((app.memory.workingSetBytes ?? 0) > 0);
    const metrics = await nodeApi("/metrics/resource", admin());
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, new RegExp(`^container_cpu_usage_seconds_total\\{container="app",namespace="default",pod="${name}"\\} [0-9.e+-]+ \\d+$`, "m"));
    assert.match(metrics.body, /^node_memory_working_set_bytes \d+ \d+$/m);
    assert.match(metrics.body, /^scrape_error 0$/m);
  });
});

describe("reliability", () => {
  test("50 concurrent follow streams through the API server, and the node-api still answers", async (t) => {
    const ticker = await startPod("many", "i=0; while true; do echo many-$i; i=$((i+1)); sleep 0.2; done");
    const opts = admin();
    const adminCert = { ca: opts.ca, cert: readFileSync(join(node.controlPlane.dir, "admin.crt")), key: readFileSync(join(node.controlPlane.dir, "admin.key")) };
    const url = new URL(node.controlPlane.server);
    const streams = Array.from({ length: 50 }, () => {
      let seen = 0;
      const req = httpsRequest({ host: url.hostname, port: url.port, path: `/api/v1/namespaces/default/pods/${ticker}/log?follow=true&tailLines=1`, ...adminCert });
      const done = new Promise<void>((resolve, reject) => {
        req.on("response", (res) => {
          if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
          res.on("data", (d: Buffer) => {
            seen += (d.toString().match(/many-\d+/g) ?? []).length;
            if (seen >= 3) resolve();
          });
        });
        req.on("error", (err) => (seen >= 3 ? undefined : reject(err)));
      });
      req.end();
      return { req, done };
    });
    const started = Date.now();
    await Promise.all(streams.map((s) => s.done));
    const allFlowingMs = Date.now() - started;
    assert.ok(allFlowingMs < 30_000, `50 streams each got 3 lines in ${allFlowingMs} ms`);
    t.diagnostic(`50 streams each got 3 lines in ${allFlowingMs} ms`);
    assert.equal(await nodeApiMetric("natslet_node_api_open_streams"), 50);
    const asked = Date.now();
    assert.equal((await nodeApi("/healthz", admin())).status, 200);
    assert.ok(Date.now() - asked < 2000, "healthz answered while 50 streams follow");
    for (const s of streams) s.req.destroy();
    await waitFor("all 50 streams freed", async () => (await nodeApiMetric("natslet_node_api_open_streams")) === 0, 20_000);
    assert.equal(await nodeApiMetric("natslet_node_api_log_watchers"), 0);
  });
});
