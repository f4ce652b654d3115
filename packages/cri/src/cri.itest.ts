// Wire compatibility with a real containerd: the lifecycle a kubelet drives for one pod.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { makeTempDir, removeDir, startContainerd, type Containerd } from "@natslet/testkit";
import { CriClient } from "./client.js";
import type { ContainerStatus } from "./types.js";

let containerd: Containerd;
let cri: CriClient;
let logRoot: string;

before(async () => {
  containerd = await startContainerd();
  cri = await CriClient.connect(containerd.endpoint);
  logRoot = makeTempDir("cri-logs");
});

after(async () => {
  cri?.close();
  await containerd?.stop();
  if (logRoot) await removeDir(logRoot);
});

test("Version and Status: containerd speaks runtime.v1, runtime and network are ready", async () => {
  const version = await cri.version({ version: "v1" });
  assert.equal(version.runtimeName, "containerd");
  assert.equal(version.runtimeApiVersion, "v1");
  const status = await cri.status({});
  const conditions = Object.fromEntries((status.status?.conditions ?? []).map((c) => [c.type, c.status]));
  assert.deepEqual(conditions, { RuntimeReady: true, NetworkReady: true });
});

test("a busybox container prints a line into its CRI log, then everything is removed", async () => {
  const uid = randomUUID();
  const logDirectory = join(logRoot, `default_smoke_${uid}`);
  const { podSandboxId } = await cri.runPodSandbox({
    config: {
      metadata: { name: "smoke", uid, namespace: "default", attempt: 0 },
      hostname: "smoke",
      logDirectory,
      labels: { "io.kubernetes.pod.uid": uid },
      linux: {},
    },
  });
  assert.ok(podSandboxId);
  const sandbox = await cri.podSandboxStatus({ podSandboxId });
  assert.equal(sandbox.status?.state, "SANDBOX_READY");
  const ip = sandbox.status?.network?.ip ?? "";
  const subnetPrefix = containerd.podSubnet.split(".").slice(0, 3).join(".") + ".";
  assert.ok(ip.startsWith(subnetPrefix), `pod IP ${ip} is on the CNI bridge's subnet ${containerd.podSubnet}`);

  const { containerId } = await cri.createContainer({
    podSandboxId,
    config: {
      metadata: { name: "hello", attempt: 0 },
      image: { image: containerd.busyboxImage },
      command: ["sh", "-c", "echo hello from natslet"],
      logPath: "hello/0.log",
    },
    sandboxConfig: { metadata: { name: "smoke", uid, namespace: "default", attempt: 0 }, logDirectory, linux: {} },
  });
  await cri.startContainer({ containerId });

  const exited = await waitFor(async () => {
    const { status } = await cri.containerStatus({ containerId });
    return status?.state === "CONTAINER_EXITED" ? status : undefined;
  });
  assert.equal(exited.exitCode, 0);
  assert.equal(exited.reason, "Completed");
  // CRI log format: "<RFC3339Nano> <stream> <P|F> <text>"
  const log = readFileSync(join(logDirectory, "hello", "0.log"), "utf8");
  assert.match(log, /^\S+ stdout F hello from natslet\n$/);

  await cri.removeContainer({ containerId });
  await cri.stopPodSandbox({ podSandboxId });
  await cri.removePodSandbox({ podSandboxId });
  assert.equal((await containerd.crictl("ps", "-a", "-q")).trim(), "", "no container left");
  assert.equal((await containerd.crictl("pods", "-q")).trim(), "", "no sandbox left");
});

async function waitFor(probe: () => Promise<ContainerStatus | undefined>, timeoutMs = 30_000): Promise<ContainerStatus> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await sleep(50);
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
