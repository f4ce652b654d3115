// Pod volumes through the whole stack: every volume type read from inside a running container,
// a live ConfigMap update seen atomically by the container, subPath escapes refused with a
// clear reason, and nothing left on the node (mounts, files) after the pod is deleted.
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { V1Pod } from "@kubernetes/client-node";
import { makeTempDir, removeDir, run } from "@natslet/testkit";
import { createPod, podEvents, podName, phaseIs, startNode, waitForPod, waitForPodGone, type Node } from "./harness.js";

let node: Node;
let hostDir: string;
let rootDir: string;
before(async () => {
  // Resync fast, so a ConfigMap change lands within seconds (default 10 s).
  node = await startNode({ env: { NATSLET_VOLUME_RESYNC_MS: "1000" } });
  hostDir = makeTempDir("e2e-host");
  // startNatslet puts NATSLET_ROOT_DIR beside the pod logs dir.
  rootDir = join(dirname(node.natslet.podLogsDir), "root");
  // This control plane runs without the controller-manager, which would create it.
  await node.core.createNamespacedServiceAccount({ namespace: "default", body: { metadata: { name: "default" } } });
});
after(async () => {
  await node?.stop();
  if (hostDir) await removeDir(hostDir);
});

const mountsUnder = (dir: string) => readFileSync("/proc/self/mountinfo", "utf8").split("\n").filter((l) => l.split(" ")[4]?.startsWith(dir));
const terminated = (pod: V1Pod) => pod.status?.containerStatuses?.[0]?.state?.terminated;

async function waitForNothingLeft(uid: string): Promise<void> {
  const podDir = join(rootDir, "pods", uid);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && (existsSync(podDir) || mountsUnder(podDir).length > 0)) await sleep(200);
  assert.deepEqual(mountsUnder(podDir), [], "no mounts left under the pod dir");
  assert.equal(existsSync(podDir), false, `${podDir} removed`);
}

describe("volumes in a running container", () => {
  test("every volume type, read from inside the container", async () => {
    const name = podName("vols");
    mkdirSync(join(hostDir, "shared"), { recursive: true });
    writeFileSync(join(hostDir, "shared", "host.txt"), "from-host");
    await node.core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: `${name}-cm` }, data: { greeting: "hello", other: "x" } } });
    await node.core.createNamespacedSecret({ namespace: "default", body: { metadata: { name: `${name}-s` }, stringData: { password: "hunter2" } } });
    const script = [
      "echo cm=$(cat /cfg/hello.txt)",
      "echo secret=$(cat /sec/password) mode=$(stat -L -c %a /sec/password)",
      "echo host=$(cat /host/host.txt)",
      "echo labels=$(cat /info/labels) mem=$(cat /info/mem)",
      "echo token=$(wc -c < /proj/token) ns=$(cat /proj/ns) cmp=$(cat /proj/greeting)",
      "echo scratch=$(echo w > /scratch/f && cat /scratch/f) memdir=$(echo m > /mem/f && cat /mem/f)",
      "echo fs-sec=$(grep ' /sec ' /proc/mounts | cut -d' ' -f3) fs-mem=$(grep ' /mem ' /proc/mounts | cut -d' ' -f3)",
      "echo ro=$(touch /cfg/x 2>/dev/null && echo no || echo yes)",
      "echo sub=$(cat /sub-file)",
    ].join("; ");
    await createPod(node, name, {
      restartPolicy: "Never",
      serviceAccountName: "default",
      containers: [
        {
          name: "c",
          image: node.image,
          command: ["sh", "-c", `(${script}) > /dev/termination-log 2>&1`],
          resources: { limits: { memory: "32Mi" } },
          volumeMounts: [
            { name: "cfg", mountPath: "/cfg" },
            { name: "sec", mountPath: "/sec" },
            { name: "host", mountPath: "/host", readOnly: true },
            { name: "info", mountPath: "/info" },
            { name: "proj", mountPath: "/proj" },
            { name: "scratch", mountPath: "/scratch" },
            { name: "mem", mountPath: "/mem" },
            { name: "cfg", mountPath: "/sub-file", subPath: "hello.txt" },
          ],
        },
      ],
      volumes: [
        { name: "cfg", configMap: { name: `${name}-cm`, items: [{ key: "greeting", path: "hello.txt" }] } },
        { name: "sec", secret: { secretName: `${name}-s`, defaultMode: 0o400 } },
        { name: "host", hostPath: { path: join(hostDir, "shared"), type: "Directory" } },
        {
          name: "info",
          downwardAPI: {
            items: [
              { path: "labels", fieldRef: { fieldPath: "metadata.labels" } },
              { path: "mem", resourceFieldRef: { containerName: "c", resource: "limits.memory", divisor: "1Mi" } },
            ],
          },
        },
        {
          name: "proj",
          projected: {
            sources: [
              { serviceAccountToken: { path: "token", expirationSeconds: 3600 } },
              { downwardAPI: { items: [{ path: "ns", fieldRef: { fieldPath: "metadata.namespace" } }] } },
              { configMap: { name: `${name}-cm`, items: [{ key: "greeting", path: "greeting" }] } },
            ],
          },
        },
        { name: "scratch", emptyDir: {} },
        { name: "mem", emptyDir: { medium: "Memory", sizeLimit: "4Mi" } },
      ],
    });
    const pod = await waitForPod(node, name, (p) => terminated(p) !== undefined, "terminated", 90_000);
    const lines = Object.fromEntries(
      (terminated(pod)?.message ?? "")
        .trim()
        .split("\n")
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    assert.equal(terminated(pod)?.exitCode, 0, terminated(pod)?.message);
    assert.equal(lines["cm"], "hello");
    assert.equal(lines["secret"], "hunter2 mode=400");
    assert.equal(lines["host"], "from-host");
    assert.equal(lines["labels"], " mem=32"); // createPod sets no labels: an empty labels file
    assert.match(lines["token"] ?? "", /^\d{3,} ns=default cmp=hello$/);
    assert.equal(lines["scratch"], "w memdir=m");
    assert.equal(lines["fs-sec"], "tmpfs fs-mem=tmpfs");
    assert.equal(lines["ro"], "yes");
    assert.equal(lines["sub"], "hello");

    await node.core.deleteNamespacedPod({ name, namespace: "default" });
    await waitForPodGone(node, name);
    await waitForNothingLeft(pod.metadata?.uid ?? "");
  });

  test("a live ConfigMap update reaches the running container within a minute, atomically", async () => {
    const name = podName("live");
    const cm = `${name}-cm`;
    await node.core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: cm }, data: { a: "v1", b: "v1" } } });
    // cd into ..data once per read: both keys come from one version (what the atomic swap promises).
    const loop = 'while true; do (cd /cfg/..data 2>/dev/null && echo "pair=$(cat a)/$(cat b)"); sleep 0.2; done';
    await createPod(node, name, {
      containers: [{ name: "c", image: node.image, command: ["sh", "-c", loop], volumeMounts: [{ name: "cfg", mountPath: "/cfg" }] }],
      volumes: [{ name: "cfg", configMap: { name: cm } }],
    });
    const pod = await waitForPod(node, name, phaseIs("Running"), "Running", 60_000);
    const logDir = join(node.natslet.podLogsDir, `default_${name}_${pod.metadata?.uid}`, "c");
    const pairs = () => {
      const files = existsSync(logDir) ? readdirSync(logDir) : [];
      return files.flatMap((f) => readFileSync(join(logDir, f), "utf8").split("\n")).flatMap((l) => /pair=(\S*)/.exec(l)?.[1] ?? []);
    };
    await waitFor(() => pairs().includes("v1/v1"), "v1 seen", 30_000);
    const changedAt = Date.now();
    for (const v of ["v2", "v3"]) {
      await node.core.replaceNamespacedConfigMap({ name: cm, namespace: "default", body: { metadata: { name: cm }, data: { a: v, b: v } } });
      await waitFor(() => pairs().includes(`${v}/${v}`), `${v} seen in the container`, 60_000);
    }
    const took = Date.now() - changedAt;
    assert.ok(took < 60_000, `updates seen after ${took} ms`);
    const mixed = pairs().filter((p) => p.split("/")[0] !== p.split("/")[1]);
    assert.deepEqual(mixed, [], "never a mix of old and new");
    await node.core.deleteNamespacedPod({ name, namespace: "default" });
    await waitForPodGone(node, name);
    await waitForNothingLeft(pod.metadata?.uid ?? "");
  });
});

describe("emptyDir sizeLimit", () => {
  test("a disk emptyDir written past its sizeLimit: the pod is evicted as the kubelet does, and stays down", async () => {
    const name = podName("evict");
    await createPod(node, name, {
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 30, // an eviction does not wait for it
      containers: [
        {
          name: "c",
          image: node.image,
          command: ["sh", "-c", "trap '' TERM; dd if=/dev/zero of=/scratch/fill bs=1024 count=2048 2>/dev/null; while true; do sleep 1; done"],
          volumeMounts: [{ name: "scratch", mountPath: "/scratch" }],
        },
      ],
      volumes: [{ name: "scratch", emptyDir: { sizeLimit: "1Mi" } }],
    });
    const message = 'Usage of EmptyDir volume "scratch" exceeds the limit "1Mi". ';
    const started = Date.now();
    const pod = await waitForPod(node, name, phaseIs("Failed"), "Failed (evicted)", 60_000);
    const tookMs = Date.now() - started;
    assert.equal(pod.status?.reason, "Evicted");
    assert.equal(pod.status?.message, message);
    const disruption = pod.status?.conditions?.find((c) => c.type === "DisruptionTarget");
    assert.deepEqual([disruption?.status, disruption?.reason, disruption?.message], ["True", "TerminationByKubelet", message]);
    assert.ok(pod.status?.containerStatuses?.[0]?.state?.terminated, "the container was stopped");
    assert.ok(tookMs < 30_000, `evicted after ${tookMs} ms, not after the 30 s grace period`);
    const events = await podEvents(node, name);
    assert.ok(events.some((e) => e.type === "Warning" && e.reason === "Evicted" && e.message === message), "Warning Evicted Event");

    // It stays down (restartPolicy Always notwithstanding), also across a sync-loop restart.
    await node.natslet.kill("sync-loop");
    await node.natslet.start("sync-loop");
    await sleep(5_000);
    const later = await node.core.readNamespacedPod({ name, namespace: "default" });
    assert.equal(later.status?.phase, "Failed");
    assert.equal(later.status?.reason, "Evicted");
    assert.equal(later.status?.containerStatuses?.[0]?.restartCount, 0, "never restarted");
    assert.equal((await node.containerd.crictl("ps", "-q", "--label", `io.kubernetes.pod.uid=${pod.metadata?.uid}`)).trim(), "", "nothing runs");
    // A finished pod's volumes go (the pod dir itself, with its termination files, goes with the pod).
    const volumesDir = join(rootDir, "pods", pod.metadata?.uid ?? "", "volumes");
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && existsSync(volumesDir)) await sleep(200);
    assert.equal(existsSync(volumesDir), false, `${volumesDir} removed once the pod failed`);

    await node.core.deleteNamespacedPod({ name, namespace: "default" });
    await waitForPodGone(node, name);
    await waitForNothingLeft(pod.metadata?.uid ?? "");
  });
});

describe("init containers", () => {
  test("an init container writes a file that the app container mounts by subPath", async () => {
    const name = podName("initsub");
    await createPod(node, name, {
      restartPolicy: "Never",
      initContainers: [{ name: "init", image: node.image, command: ["sh", "-c", "mkdir -p /work/conf && echo port=8080 > /work/conf/app.conf"], volumeMounts: [{ name: "work", mountPath: "/work" }] }],
      containers: [{ name: "c", image: node.image, command: ["sh", "-c", "cat /etc/app.conf > /dev/termination-log"], volumeMounts: [{ name: "work", mountPath: "/etc/app.conf", subPath: "conf/app.conf" }] }],
      volumes: [{ name: "work", emptyDir: {} }],
    });
    const pod = await waitForPod(node, name, (p) => terminated(p) !== undefined, "terminated", 90_000);
    assert.equal(terminated(pod)?.exitCode, 0);
    assert.equal(terminated(pod)?.message?.trim(), "port=8080");
    await node.core.deleteNamespacedPod({ name, namespace: "default" });
    await waitForPodGone(node, name);
    await waitForNothingLeft(pod.metadata?.uid ?? "");
  });
});

describe("restarts", () => {
  test("the volume-manager down: the pod waits, then runs; a pod deleted meanwhile leaves nothing behind", async () => {
    const name = podName("vmdown");
    await node.natslet.kill("volume-manager");
    await createPod(node, name, {
      containers: [{ name: "c", image: node.image, command: ["sleep", "3600"], volumeMounts: [{ name: "m", mountPath: "/m" }] }],
      volumes: [{ name: "m", emptyDir: { medium: "Memory" } }],
    });
    await sleep(3000);
    assert.equal((await node.core.readNamespacedPod({ name, namespace: "default" })).status?.containerStatuses?.[0]?.state?.running, undefined, "not started without its volume");
    await node.natslet.start("volume-manager");
    const pod = await waitForPod(node, name, phaseIs("Running"), "Running after the volume-manager is back", 60_000);
    const uid = pod.metadata?.uid ?? "";
    assert.equal(mountsUnder(join(rootDir, "pods", uid)).length, 1, "its tmpfs");
    // Deleted while the volume-manager is down: the tombstone waits in the stream for it.
    await node.natslet.kill("volume-manager");
    await node.core.deleteNamespacedPod({ name, namespace: "default" });
    await waitForPodGone(node, name);
    assert.equal(mountsUnder(join(rootDir, "pods", uid)).length, 1, "nobody else touches the volume");
    await node.natslet.start("volume-manager");
    await waitForNothingLeft(uid);
  });
});

describe("mount propagation", () => {
  test("HostToContainer: a mount made on the host below an emptyDir shows up in the running container", async () => {
    const name = podName("prop");
    const wait = 'i=0; while [ $i -lt 300 ]; do if [ -f /shared/sub/marker ]; then cat /shared/sub/marker > /dev/termination-log; exit 0; fi; sleep 0.2; i=$((i+1)); done; exit 1';
    await createPod(node, name, {
      restartPolicy: "Never",
      containers: [{ name: "c", image: node.image, command: ["sh", "-c", wait], volumeMounts: [{ name: "shared", mountPath: "/shared", mountPropagation: "HostToContainer" }] }],
      volumes: [{ name: "shared", emptyDir: {} }],
    });
    const running = await waitForPod(node, name, phaseIs("Running"), "Running", 60_000);
    const uid = running.metadata?.uid ?? "";
    const volume = join(rootDir, "pods", uid, "volumes", "kubernetes.io~empty-dir", "shared");
    mkdirSync(join(volume, "sub"));
    await run("mount", ["-t", "tmpfs", "tmpfs", join(volume, "sub")]);
    writeFileSync(join(volume, "sub", "marker"), "propagated");
    const pod = await waitForPod(node, name, (p) => terminated(p) !== undefined, "terminated", 90_000);
    assert.equal(terminated(pod)?.exitCode, 0, "the container saw the host's mount");
    assert.equal(terminated(pod)?.message, "propagated");
    await node.core.deleteNamespacedPod({ name, namespace: "default" });
    await waitForPodGone(node, name);
    // Teardown unmounts the host's nested mount too: nothing is left.
    await waitForNothingLeft(uid);
  });
});

describe("subPath escapes", () => {
  test("a symlink to / in the volume and a subPathExpr climbing out are refused with a clear reason", async () => {
    const vol = join(hostDir, "evil");
    mkdirSync(vol, { recursive: true });
    rmSync(join(vol, "root"), { force: true });
    symlinkSync("/", join(vol, "root"));
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ["link", { subPath: "root" }, /not within volume path/],
      ["expr", { subPathExpr: "$(UP)/etc" }, /must not contain '\.\.'/],
    ];
    for (const [suffix, mount, want] of cases) {
      const name = podName(`escape-${suffix}`);
      await createPod(node, name, {
        containers: [
          {
            name: "c",
            image: node.image,
            command: ["cat", "/x/etc/shadow"],
            env: [{ name: "UP", value: "../../../.." }],
            volumeMounts: [{ name: "v", mountPath: "/x", ...mount }],
          },
        ],
        volumes: [{ name: "v", hostPath: { path: vol } }],
      });
      const pod = await waitForPod(
        node,
        name,
        (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "CreateContainerConfigError",
        "waiting with CreateContainerConfigError",
      );
      assert.match(pod.status?.containerStatuses?.[0]?.state?.waiting?.message ?? "", want);
      await waitFor(async () => (await podEvents(node, name)).some((e) => e.type === "Warning" && want.test(e.message ?? "")), "a Warning Event with the reason", 30_000);
      // No container was ever created for it.
      assert.equal((await node.containerd.crictl("ps", "-a", "-q", "--label", `io.kubernetes.pod.uid=${pod.metadata?.uid}`)).trim(), "");
      await node.core.deleteNamespacedPod({ name, namespace: "default" });
      await waitForPodGone(node, name);
      await waitForNothingLeft(pod.metadata?.uid ?? "");
    }
  });

  test("a missing ConfigMap: FailedMount, ContainerCreating, then Running once it exists", async () => {
    const name = podName("late");
    await createPod(node, name, {
      containers: [{ name: "c", image: node.image, command: ["sleep", "3600"], volumeMounts: [{ name: "cfg", mountPath: "/cfg" }] }],
      volumes: [{ name: "cfg", configMap: { name: `${name}-cm` } }],
    });
    await waitFor(
      async () => (await podEvents(node, name)).some((e) => e.reason === "FailedMount" && e.message === `MountVolume.SetUp failed for volume "cfg" : configmap "${name}-cm" not found`),
      "FailedMount Event",
      30_000,
    );
    const waiting = await node.core.readNamespacedPod({ name, namespace: "default" });
    assert.equal(waiting.status?.phase, "Pending");
    await node.core.createNamespacedConfigMap({ namespace: "default", body: { metadata: { name: `${name}-cm` }, data: { k: "v" } } });
    const pod = await waitForPod(node, name, phaseIs("Running"), "Running", 60_000);
    await node.core.deleteNamespacedPod({ name, namespace: "default" });
    await waitForPodGone(node, name);
    await waitForNothingLeft(pod.metadata?.uid ?? "");
  });
});

async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(250);
  }
  throw new Error(`not within ${timeoutMs} ms: ${what}`);
}
