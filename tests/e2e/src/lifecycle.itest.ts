// Pods through their whole life, checked as a user checks them with kubectl.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { PatchStrategy, setHeaderOptions, type V1ContainerStatus, type V1Pod } from "@kubernetes/client-node";
import { createPod, podEvents, podName, phaseIs, startNode, waitForPod, waitForPodGone, waitForRuntimeObjects, type Node } from "./harness.js";

let node: Node;
before(async () => {
  node = await startNode({ extraImageTags: ["v2"] });
});
after(async () => {
  await node?.stop();
});

const status = (pod: V1Pod, name: string): V1ContainerStatus => {
  const s = pod.status?.containerStatuses?.find((c) => c.name === name);
  assert.ok(s, `container status of ${name}`);
  return s;
};
const condition = (pod: V1Pod, type: string) => pod.status?.conditions?.find((c) => c.type === type)?.status;

describe("a running pod", () => {
  test("reports what a kubelet reports", async () => {
    const name = podName("run");
    await createPod(node, name, {
      containers: [{ name: "app", image: node.image, command: ["sleep", "3600"], resources: { requests: { cpu: "50m", memory: "16Mi" } } }],
    });
    const pod = await waitForPod(node, name, (p) => p.status?.phase === "Running" && condition(p, "Ready") === "True", "Running and Ready");
    const subnet = node.containerd.podSubnet.split(".").slice(0, 3).join(".");
    assert.ok(pod.status?.podIP?.startsWith(subnet), `podIP ${pod.status?.podIP} on the pod network`);
    assert.equal(pod.status?.hostIP, "127.0.0.1");
    assert.ok(pod.status?.startTime);
    assert.equal(pod.status?.qosClass, "Burstable");
    for (const type of ["PodScheduled", "Initialized", "PodReadyToStartContainers", "ContainersReady", "Ready"]) {
      assert.equal(condition(pod, type), "True", `${type} condition`);
    }
    const app = status(pod, "app");
    assert.match(app.containerID ?? "", /^containerd:\/\/[0-9a-f]{64}$/);
    assert.ok(app.imageID, "imageID");
    assert.equal(app.image, node.image);
    assert.equal(app.ready, true);
    assert.equal(app.started, true);
    assert.equal(app.restartCount, 0);
    assert.ok(app.state?.running?.startedAt);
    // Exactly one sandbox for the pod in the runtime.
    const sandboxes = (await node.containerd.crictl("pods", "-q", "--label", `io.kubernetes.pod.uid=${pod.metadata?.uid}`)).trim().split("\n");
    assert.equal(sandboxes.length, 1);
  });
});

describe("restart policies and exit codes", () => {
  test("Never + exit 0 → Succeeded, Completed", async () => {
    const name = podName("ok");
    await createPod(node, name, { restartPolicy: "Never", containers: [{ name: "job", image: node.image, command: ["true"] }] });
    const pod = await waitForPod(node, name, phaseIs("Succeeded"), "Succeeded");
    const term = status(pod, "job").state?.terminated;
    assert.equal(term?.exitCode, 0);
    assert.equal(term?.reason, "Completed");
    assert.ok(term?.startedAt && term.finishedAt);
  });

  test("Never + exit 3 → Failed, Error, exit code kept", async () => {
    const name = podName("fail");
    await createPod(node, name, { restartPolicy: "Never", containers: [{ name: "job", image: node.image, command: ["sh", "-c", "exit 3"] }] });
    const pod = await waitForPod(node, name, phaseIs("Failed"), "Failed");
    const term = status(pod, "job").state?.terminated;
    assert.equal(term?.exitCode, 3);
    assert.equal(term?.reason, "Error");
    assert.equal(status(pod, "job").restartCount, 0);
  });

  test("OnFailure + exit 1 → restarted, then CrashLoopBackOff with the previous run as lastState", async () => {
    const name = podName("crash");
    await createPod(node, name, { restartPolicy: "OnFailure", containers: [{ name: "c", image: node.image, command: ["sh", "-c", "exit 1"] }] });
    const pod = await waitForPod(
      node,
      name,
      (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "CrashLoopBackOff",
      "in CrashLoopBackOff after a restart",
      45_000,
    );
    const c = status(pod, "c");
    assert.match(c.state?.waiting?.message ?? "", /^back-off \d+s restarting failed container=c pod=/);
    assert.equal(c.lastState?.terminated?.exitCode, 1);
    assert.equal(pod.status?.phase, "Running"); // kubelet: a restarting pod stays Running
    // Dead runs do not pile up: the last one stays for `logs --previous` (kubelet's GC default).
    await waitForRuntimeObjects(node, pod.metadata?.uid ?? "", { sandboxes: 1, containers: 1 });
  });

  test("OnFailure + exit 0 → Succeeded without restart", async () => {
    const name = podName("once");
    await createPod(node, name, { restartPolicy: "OnFailure", containers: [{ name: "c", image: node.image, command: ["true"] }] });
    const pod = await waitForPod(node, name, phaseIs("Succeeded"), "Succeeded");
    assert.equal(status(pod, "c").restartCount, 0);
  });
});

describe("the container's process", () => {
  test("command, args, env with fieldRef and $(VAR), workingDir, termination message", async () => {
    const name = podName("env");
    await createPod(node, name, {
      restartPolicy: "Never",
      containers: [
        {
          name: "c",
          image: node.image,
          command: ["sh", "-c"],
          args: ['echo "$POD_NAME|$POD_IP|$GREETING|$(pwd)" > /dev/termination-log'],
          workingDir: "/tmp",
          env: [
            { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
            { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
            { name: "WHO", value: "world" },
            { name: "GREETING", value: "hello $(WHO)" },
          ],
        },
      ],
    });
    const pod = await waitForPod(node, name, phaseIs("Succeeded"), "Succeeded");
    const message = status(pod, "c").state?.terminated?.message?.trim();
    assert.equal(message, `${name}|${pod.status?.podIP}|hello world|/tmp`);
  });

  test("resources become the container's cgroup limits (cpu shares/quota, memory)", async () => {
    const name = podName("res");
    await createPod(node, name, {
      containers: [
        {
          name: "c",
          image: node.image,
          command: ["sleep", "3600"],
          ports: [{ containerPort: 8080, name: "http" }],
          resources: { requests: { cpu: "250m", memory: "32Mi" }, limits: { cpu: "500m", memory: "64Mi" } },
        },
      ],
    });
    const pod = await waitForPod(node, name, phaseIs("Running"), "Running");
    const id = (status(pod, "c").containerID ?? "").replace("containerd://", "");
    const inspect = JSON.parse(await node.containerd.crictl("inspect", id)) as {
      info: { runtimeSpec: { linux: { resources: { cpu: { shares: number; quota: number; period: number }; memory: { limit: number } } } } };
    };
    const { cpu, memory } = inspect.info.runtimeSpec.linux.resources;
    assert.equal(cpu.shares, 256, "250m → 256 shares");
    assert.equal(cpu.period, 100_000);
    assert.equal(cpu.quota, 50_000, "500m → 50 ms per 100 ms");
    assert.equal(memory.limit, 64 * 1024 * 1024);
    assert.equal(pod.status?.qosClass, "Burstable");
  });

  test("FallbackToLogsOnError reports the log tail of a failed container", async () => {
    const name = podName("logs");
    await createPod(node, name, {
      restartPolicy: "Never",
      containers: [{ name: "c", image: node.image, command: ["sh", "-c", "echo first; echo it broke; exit 2"], terminationMessagePolicy: "FallbackToLogsOnError" }],
    });
    const pod = await waitForPod(node, name, phaseIs("Failed"), "Failed");
    assert.equal(status(pod, "c").state?.terminated?.message?.trim(), "first\nit broke");
  });
});

describe("deletion", () => {
  test("SIGTERM, grace honoured, sandbox removed, Pod object gone", async () => {
    const name = podName("del");
    // The trap proves SIGTERM arrived: the container then exits 0 on its own, well before the grace period.
    await createPod(node, name, {
      terminationGracePeriodSeconds: 30,
      containers: [{ name: "c", image: node.image, command: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"] }],
    });
    const pod = await waitForPod(node, name, phaseIs("Running"), "Running");
    const uid = pod.metadata?.uid ?? "";
    const started = Date.now();
    await node.core.deleteNamespacedPod({ name, namespace: "default" });
    await waitForPodGone(node, name, 30_000);
    assert.ok(Date.now() - started < 15_000, "SIGTERM ended it, not the 30 s SIGKILL");
    assert.equal((await node.containerd.crictl("pods", "-q", "--label", `io.kubernetes.pod.uid=${uid}`)).trim(), "");
  });

  test("a container that ignores SIGTERM is killed when --grace-period ends", async () => {
    const name = podName("stubborn");
    await createPod(node, name, {
      terminationGracePeriodSeconds: 60,
      containers: [{ name: "c", image: node.image, command: ["sh", "-c", "trap '' TERM; while :; do sleep 1; done"] }],
    });
    await waitForPod(node, name, phaseIs("Running"), "Running");
    const started = Date.now();
    await node.core.deleteNamespacedPod({ name, namespace: "default", gracePeriodSeconds: 3 });
    await waitForPodGone(node, name, 30_000);
    const took = Date.now() - started;
    assert.ok(took >= 3000, `waited the grace period (${took} ms)`);
    assert.ok(took < 20_000, `then SIGKILL (${took} ms)`);
  });
});

describe("spec changes", () => {
  test("a new image restarts that container and nothing else", async () => {
    const name = podName("upd");
    await createPod(node, name, {
      containers: [
        { name: "a", image: node.image, command: ["sleep", "3600"] },
        { name: "b", image: node.image, command: ["sleep", "3600"] },
      ],
    });
    const before = await waitForPod(node, name, (p) => condition(p, "Ready") === "True", "Ready");
    const bId = status(before, "b").containerID;
    const v2 = node.image.replace(/:[^:]+$/, ":v2");
    await node.core.patchNamespacedPod(
      { name, namespace: "default", body: [{ op: "replace", path: "/spec/containers/0/image", value: v2 }] },
      setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
    );
    const after = await waitForPod(node, name, (p) => status(p, "a").image === v2 && status(p, "a").restartCount === 1 && status(p, "a").ready === true, "a restarted with the new image");
    assert.equal(status(after, "b").containerID, bId, "b kept running");
    assert.equal(status(after, "b").restartCount, 0);
  });
});

describe("pods the node cannot run", () => {
  test("an unsupported spec gets a clear reason and an Event, and every service keeps running", async () => {
    const name = podName("sidecar");
    await createPod(node, name, {
      initContainers: [{ name: "side", image: node.image, command: ["sleep", "3600"], restartPolicy: "Always" }],
      containers: [{ name: "c", image: node.image, command: ["sleep", "3600"] }],
    });
    const pod = await waitForPod(node, name, phaseIs("Failed"), "Failed");
    assert.equal(pod.status?.reason, "UnsupportedPodSpec");
    assert.match(pod.status?.message ?? "", /sidecar/);
    const events = await podEvents(node, name);
    assert.ok(events.some((e) => e.reason === "UnsupportedPodSpec" && e.type === "Warning"), "a Warning event");
    for (const svc of ["watcher", "sync-loop", "runtime-adapter", "status-manager"] as const) {
      assert.ok(node.natslet.process(svc).running, `${svc} still running`);
    }
  });

  test("a missing image with pullPolicy Never → ErrImageNeverPull", async () => {
    const name = podName("noimg");
    await createPod(node, name, { containers: [{ name: "c", image: "localhost/natslet/absent:1", imagePullPolicy: "Never" }] });
    const waitingReason = (p: V1Pod) => p.status?.containerStatuses?.find((c) => c.name === "c")?.state?.waiting?.reason;
    const pod = await waitForPod(node, name, (p) => waitingReason(p) === "ErrImageNeverPull", "ErrImageNeverPull");
    assert.equal(pod.status?.phase, "Pending");
  });
});
