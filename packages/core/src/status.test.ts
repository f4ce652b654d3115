import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ObservedPod, Pod } from "@natslet/contracts";
import type { WaitingReason } from "./container-statuses.js";
import type { ContainerState, PodPhase, PodStatus } from "./pod-status-types.js";
import { previousStatusOf } from "./previous-status.js";
import { computePodStatus, type StatusContext } from "./status.js";
import { NOW, SECOND, baseObserved, basePod, exited, replaceContainers, running, sandbox } from "./testing/fixtures.js";

const HOST_IP = "192.168.1.10";
const NOW_TEXT = "2026-11-28T06:20:14Z";
const HOUR_AGO_TEXT = "2026-11-28T05:20:14Z";

function status(pod: Pod, observed: ObservedPod, extra: Partial<StatusContext> = {}): PodStatus {
  return computePodStatus(pod, observed, { now: NOW, hostIp: HOST_IP, ...extra });
}

function withInit(pod: Pod): void {
  pod.spec.initContainers = [
    { name: "init-a", image: "busybox:1.36" },
    { name: "init-b", image: "busybox:1.36" },
  ];
}

describe("computePodStatus: a running pod, field by field", () => {
  test("matches what the kubelet reports", () => {
    const pod = basePod();
    const condition = (type: string) => ({ type, status: "True", lastProbeTime: null, lastTransitionTime: NOW_TEXT });
    assert.deepEqual(status(pod, baseObserved(pod)), {
      phase: "Running",
      conditions: [
        condition("PodReadyToStartContainers"),
        condition("Initialized"),
        condition("Ready"),
        condition("ContainersReady"),
        condition("PodScheduled"),
      ],
      hostIP: HOST_IP,
      hostIPs: [{ ip: HOST_IP }],
      podIP: "10.88.0.5",
      podIPs: [{ ip: "10.88.0.5" }],
      startTime: NOW_TEXT,
      containerStatuses: [
        {
          name: "app",
          state: { running: { startedAt: "2026-11-28T06:18:35Z" } },
          lastState: {},
          ready: true,
          restartCount: 0,
          image: "nginx:1.27",
          imageID: "sha256:app",
          containerID: "containerd://app-0",
          started: true,
        },
        {
          name: "helper",
          state: { running: { startedAt: "2026-11-28T06:18:35Z" } },
          lastState: {},
          ready: true,
          restartCount: 0,
          image: "busybox:1.36",
          imageID: "sha256:helper",
          containerID: "containerd://helper-0",
          started: true,
        },
      ],
      qosClass: "BestEffort",
    });
  });
});

/** A condition as "True", or "False/Reason", or "False/Reason/message" when it has a message. */
type ConditionSummary = Record<string, string>;
function summarize(s: PodStatus): { phase: PodPhase; conditions: ConditionSummary; states: Record<string, string> } {
  const conditions: ConditionSummary = {};
  for (const c of s.conditions) conditions[c.type] = [c.status, c.reason, c.message].filter((x) => x !== undefined).join("/");
  const states: Record<string, string> = {};
  for (const c of [...(s.initContainerStatuses ?? []), ...s.containerStatuses]) states[c.name] = stateText(c.state, c.lastState, c.restartCount, c.ready);
  return { phase: s.phase, conditions, states };
}
/** "running", "waiting:Reason", "terminated:1:Error"; then "|last=..." and "#restarts" and "+ready". */
function stateText(state: ContainerState, last: ContainerState, restarts: number, ready: boolean): string {
  const one = (st: ContainerState): string =>
    st.running ? "running"
    : st.terminated ? `terminated:${st.terminated.exitCode}:${st.terminated.reason ?? ""}`
    : st.waiting ? `waiting:${st.waiting.reason ?? ""}`
    : "";
  const lastText = one(last);
  return `${one(state)}${lastText ? `|last=${lastText}` : ""}#${restarts}${ready ? "+ready" : ""}`;
}

const ALL_TRUE = { PodReadyToStartContainers: "True", Initialized: "True", Ready: "True", ContainersReady: "True", PodScheduled: "True" };

interface Case {
  name: string;
  pod?: (pod: Pod) => void;
  observed?: (observed: ObservedPod, pod: Pod) => void;
  waiting?: Record<string, WaitingReason>;
  rejected?: StatusContext["rejected"];
  phase: PodPhase;
  conditions: ConditionSummary;
  states: Record<string, string>;
}

const cases: Case[] = [
  {
    name: "running",
    phase: "Running",
    conditions: ALL_TRUE,
    states: { app: "running#0+ready", helper: "running#0+ready" },
  },
  {
    name: "new pod, nothing created yet: Pending, ContainerCreating",
    observed: (o) => {
      o.sandboxes = [];
      o.containers = [];
    },
    phase: "Pending",
    conditions: {
      ...ALL_TRUE,
      PodReadyToStartContainers: "False",
      Ready: "False/ContainersNotReady/containers with unready status: [app helper]",
      ContainersReady: "False/ContainersNotReady/containers with unready status: [app helper]",
    },
    states: { app: "waiting:ContainerCreating#0", helper: "waiting:ContainerCreating#0" },
  },
  {
    name: "image pull failing: the waiting reason shows",
    observed: (o) => {
      o.containers = [];
    },
    waiting: { app: { reason: "ErrImagePull", message: "pull access denied" } },
    phase: "Pending",
    conditions: {
      ...ALL_TRUE,
      Ready: "False/ContainersNotReady/containers with unready status: [app helper]",
      ContainersReady: "False/ContainersNotReady/containers with unready status: [app helper]",
    },
    states: { app: "waiting:ErrImagePull#0", helper: "waiting:ContainerCreating#0" },
  },
  {
    name: "crash loop: waiting CrashLoopBackOff, last run as lastState, still Running",
    observed: (o, pod) => replaceContainers(o, "app", exited(pod, "app", 1, { attempt: 3 })),
    waiting: { app: { reason: "CrashLoopBackOff", message: "back-off 40s restarting failed container=app" } },
    phase: "Running",
    conditions: {
      ...ALL_TRUE,
      Ready: "False/ContainersNotReady/containers with unready status: [app]",
      ContainersReady: "False/ContainersNotReady/containers with unready status: [app]",
    },
    states: { app: "waiting:CrashLoopBackOff|last=terminated:1:Error#3", helper: "running#0+ready" },
  },
  {
    name: "restarted: the previous run is lastState, restartCount from the attempt",
    observed: (o, pod) =>
      replaceContainers(
        o,
        "app",
        exited(pod, "app", 2, { createdAt: NOW - 300 * SECOND }),
        running(pod, "app", { id: "app-1", attempt: 1 }),
      ),
    phase: "Running",
    conditions: ALL_TRUE,
    states: { app: "running|last=terminated:2:Error#1+ready", helper: "running#0+ready" },
  },
  {
    name: "OnFailure, all exited 0: Succeeded, PodCompleted",
    pod: (p) => {
      p.spec.restartPolicy = "OnFailure";
    },
    observed: (o, pod) => {
      o.containers = [exited(pod, "app", 0), exited(pod, "helper", 0)];
    },
    phase: "Succeeded",
    conditions: {
      ...ALL_TRUE,
      Initialized: "True/PodCompleted",
      Ready: "False/PodCompleted",
      ContainersReady: "False/PodCompleted",
    },
    states: { app: "terminated:0:Completed#0", helper: "terminated:0:Completed#0" },
  },
  {
    name: "Never, one failed: Failed, PodFailed",
    pod: (p) => {
      p.spec.restartPolicy = "Never";
    },
    observed: (o, pod) => {
      o.sandboxes = [sandbox("sb-0", 0, { state: "notready" })];
      o.containers = [exited(pod, "app", 0), exited(pod, "helper", 1)];
    },
    phase: "Failed",
    conditions: {
      ...ALL_TRUE,
      PodReadyToStartContainers: "False",
      Ready: "False/PodFailed",
      ContainersReady: "False/PodFailed",
    },
    states: { app: "terminated:0:Completed#0", helper: "terminated:1:Error#0" },
  },
  {
    name: "OnFailure, one failed and being restarted: Running",
    pod: (p) => {
      p.spec.restartPolicy = "OnFailure";
    },
    observed: (o, pod) => {
      o.containers = [exited(pod, "app", 0), exited(pod, "helper", 1)];
    },
    phase: "Running",
    conditions: {
      ...ALL_TRUE,
      Ready: "False/ContainersNotReady/containers with unready status: [app helper]",
      ContainersReady: "False/ContainersNotReady/containers with unready status: [app helper]",
    },
    states: { app: "terminated:0:Completed#0", helper: "terminated:1:Error#0" },
  },
  {
    name: "Always, all exited: Running (they are being restarted)",
    observed: (o, pod) => {
      o.containers = [exited(pod, "app", 0), exited(pod, "helper", 0)];
    },
    phase: "Running",
    conditions: {
      ...ALL_TRUE,
      Ready: "False/ContainersNotReady/containers with unready status: [app helper]",
      ContainersReady: "False/ContainersNotReady/containers with unready status: [app helper]",
    },
    states: { app: "terminated:0:Completed#0", helper: "terminated:0:Completed#0" },
  },
  {
    name: "the runtime's reason wins: OOMKilled",
    observed: (o, pod) => replaceContainers(o, "app", exited(pod, "app", 137, { reason: "OOMKilled" })),
    phase: "Running",
    conditions: {
      ...ALL_TRUE,
      Ready: "False/ContainersNotReady/containers with unready status: [app]",
      ContainersReady: "False/ContainersNotReady/containers with unready status: [app]",
    },
    states: { app: "terminated:137:OOMKilled#0", helper: "running#0+ready" },
  },
  {
    name: "deleting while running: not ready any more, still Running",
    pod: (p) => {
      p.metadata.deletionTimestamp = NOW_TEXT;
    },
    phase: "Running",
    conditions: {
      ...ALL_TRUE,
      Ready: "False/ContainersNotReady/containers with unready status: [app helper]",
      ContainersReady: "False/ContainersNotReady/containers with unready status: [app helper]",
    },
    states: { app: "running#0", helper: "running#0" },
  },
  {
    name: "deleted and stopped (Always): terminal, Failed by the exit codes",
    pod: (p) => {
      p.metadata.deletionTimestamp = NOW_TEXT;
    },
    observed: (o, pod) => {
      o.sandboxes = [sandbox("sb-0", 0, { state: "notready" })];
      o.containers = [exited(pod, "app", 143), exited(pod, "helper", 0)];
    },
    phase: "Failed",
    conditions: {
      ...ALL_TRUE,
      PodReadyToStartContainers: "False",
      Ready: "False/PodFailed",
      ContainersReady: "False/PodFailed",
    },
    states: { app: "terminated:143:Error#0", helper: "terminated:0:Completed#0" },
  },
  {
    name: "deleted and stopped cleanly (Always): Succeeded",
    pod: (p) => {
      p.metadata.deletionTimestamp = NOW_TEXT;
    },
    observed: (o, pod) => {
      o.containers = [exited(pod, "app", 0), exited(pod, "helper", 0)];
    },
    phase: "Succeeded",
    conditions: {
      ...ALL_TRUE,
      Initialized: "True/PodCompleted",
      Ready: "False/PodCompleted",
      ContainersReady: "False/PodCompleted",
    },
    states: { app: "terminated:0:Completed#0", helper: "terminated:0:Completed#0" },
  },
  {
    name: "init: the first runs: Pending, not initialized, regular containers PodInitializing",
    pod: withInit,
    observed: (o, pod) => {
      o.containers = [running(pod, "init-a")];
    },
    phase: "Pending",
    conditions: {
      ...ALL_TRUE,
      Initialized: "False/ContainersNotInitialized/containers with incomplete status: [init-a init-b]",
      Ready: "False/ContainersNotReady/containers with unready status: [app helper]",
      ContainersReady: "False/ContainersNotReady/containers with unready status: [app helper]",
    },
    states: {
      "init-a": "running#0",
      "init-b": "waiting:PodInitializing#0",
      app: "waiting:PodInitializing#0",
      helper: "waiting:PodInitializing#0",
    },
  },
  {
    name: "init: all succeeded, regular containers run",
    pod: withInit,
    observed: (o, pod) => {
      o.containers.push(exited(pod, "init-a", 0), exited(pod, "init-b", 0));
    },
    phase: "Running",
    conditions: ALL_TRUE,
    states: {
      "init-a": "terminated:0:Completed#0+ready",
      "init-b": "terminated:0:Completed#0+ready",
      app: "running#0+ready",
      helper: "running#0+ready",
    },
  },
  {
    name: "init: failed under Never: Failed",
    pod: (p) => {
      withInit(p);
      p.spec.restartPolicy = "Never";
    },
    observed: (o, pod) => {
      o.containers = [exited(pod, "init-a", 1)];
    },
    phase: "Failed",
    conditions: {
      ...ALL_TRUE,
      Initialized: "False/ContainersNotInitialized/containers with incomplete status: [init-a init-b]",
      Ready: "False/PodFailed",
      ContainersReady: "False/PodFailed",
    },
    states: {
      "init-a": "terminated:1:Error#0",
      "init-b": "waiting:PodInitializing#0",
      app: "waiting:PodInitializing#0",
      helper: "waiting:PodInitializing#0",
    },
  },
  {
    name: "init: failed under Always, in back-off: Pending (Init:CrashLoopBackOff)",
    pod: withInit,
    observed: (o, pod) => {
      o.containers = [exited(pod, "init-a", 1, { attempt: 2 })];
    },
    waiting: { "init-a": { reason: "CrashLoopBackOff" } },
    phase: "Pending",
    conditions: {
      ...ALL_TRUE,
      Initialized: "False/ContainersNotInitialized/containers with incomplete status: [init-a init-b]",
      Ready: "False/ContainersNotReady/containers with unready status: [app helper]",
      ContainersReady: "False/ContainersNotReady/containers with unready status: [app helper]",
    },
    states: {
      "init-a": "waiting:CrashLoopBackOff|last=terminated:1:Error#2",
      "init-b": "waiting:PodInitializing#0",
      app: "waiting:PodInitializing#0",
      helper: "waiting:PodInitializing#0",
    },
  },
  {
    name: "refused (unsupported): Failed with the reason",
    observed: (o) => {
      o.sandboxes = [];
      o.containers = [];
    },
    rejected: { reason: "UnsupportedPodSpec", message: "sidecars are not supported" },
    phase: "Failed",
    conditions: {
      ...ALL_TRUE,
      PodReadyToStartContainers: "False",
      Ready: "False/PodFailed",
      ContainersReady: "False/PodFailed",
    },
    states: { app: "waiting:ContainerCreating#0", helper: "waiting:ContainerCreating#0" },
  },
];

describe("computePodStatus: phases, conditions, container states", () => {
  for (const c of cases) {
    test(c.name, () => {
      const pod = basePod();
      c.pod?.(pod);
      const observed = baseObserved(pod);
      c.observed?.(observed, pod);
      const got = summarize(
        status(pod, observed, { ...(c.waiting ? { waiting: c.waiting } : {}), ...(c.rejected ? { rejected: c.rejected } : {}) }),
      );
      assert.deepEqual(got, { phase: c.phase, conditions: c.conditions, states: c.states });
    });
  }
});

describe("computePodStatus: details", () => {
  test("a terminated container carries exit code, reason, message, times and ID", () => {
    const pod = basePod();
    const observed = baseObserved(pod);
    replaceContainers(observed, "app", exited(pod, "app", 137, { reason: "OOMKilled", message: "memory", terminationMessage: "bye" }));
    const app = status(pod, observed).containerStatuses[0];
    assert.deepEqual(app?.state, {
      terminated: {
        exitCode: 137,
        reason: "OOMKilled",
        message: "memory: bye",
        startedAt: "2026-11-28T06:18:35Z",
        finishedAt: "2026-11-28T06:20:09Z",
        containerID: "containerd://app-0",
      },
    });
    assert.equal(app?.started, false);
  });

  test("the runtime name prefixes container IDs", () => {
    const pod = basePod();
    assert.equal(status(pod, baseObserved(pod), { runtimeName: "cri-o" }).containerStatuses[0]?.containerID, "cri-o://app-0");
  });

  test("lastTransitionTime is kept while a condition's status stays, and moves when it changes", () => {
    const pod = basePod();
    const previous = {
      conditions: [
        { type: "Ready", status: "True", lastTransitionTime: HOUR_AGO_TEXT },
        { type: "PodReadyToStartContainers", status: "False", lastTransitionTime: HOUR_AGO_TEXT },
      ],
    };
    const times = Object.fromEntries(status(pod, baseObserved(pod), { previous }).conditions.map((c) => [c.type, c.lastTransitionTime]));
    assert.equal(times["Ready"], HOUR_AGO_TEXT);
    assert.equal(times["PodReadyToStartContainers"], NOW_TEXT);
  });

  test("conditions of other owners are carried over after the kubelet's", () => {
    const pod = basePod();
    const previous = { conditions: [{ type: "DisruptionTarget", status: "True", lastTransitionTime: HOUR_AGO_TEXT, reason: "EvictionByEvictionAPI" }] };
    const last = status(pod, baseObserved(pod), { previous }).conditions.at(-1);
    assert.deepEqual(last, { type: "DisruptionTarget", status: "True", lastProbeTime: null, lastTransitionTime: HOUR_AGO_TEXT, reason: "EvictionByEvictionAPI" });
  });

  test("startTime: from the previous status, else the API server's, else now", () => {
    const pod = basePod();
    const observed = baseObserved(pod);
    assert.equal(status(pod, observed, { previous: { startTime: HOUR_AGO_TEXT } }).startTime, HOUR_AGO_TEXT);
    assert.equal(status({ ...pod, status: { startTime: "2026-01-01T00:00:00Z" } }, observed).startTime, "2026-01-01T00:00:00Z");
    assert.equal(status(pod, observed).startTime, NOW_TEXT);
  });

  test("a terminal phase is never left", () => {
    const pod = basePod();
    assert.equal(status(pod, baseObserved(pod), { previous: { phase: "Succeeded" } }).phase, "Succeeded");
  });

  test("host-network pod: the pod IPs are the node's", () => {
    const pod = basePod();
    pod.spec.hostNetwork = true;
    const observed = baseObserved(pod);
    observed.sandboxes = [sandbox("sb-0", 0, { hostNetwork: true, ip: "" })];
    const s = status(pod, observed, { hostIps: [HOST_IP, "fd00::10"] });
    assert.deepEqual([s.podIP, s.podIPs, s.hostIPs], [HOST_IP, [{ ip: HOST_IP }, { ip: "fd00::10" }], [{ ip: HOST_IP }, { ip: "fd00::10" }]]);
  });

  test("dual-stack sandbox: primary IP first", () => {
    const pod = basePod();
    const observed = baseObserved(pod);
    observed.sandboxes = [sandbox("sb-0", 0, { additionalIps: ["fd00::5"] })];
    assert.deepEqual(status(pod, observed).podIPs, [{ ip: "10.88.0.5" }, { ip: "fd00::5" }]);
  });

  test("a finished pod keeps the IP it had", () => {
    const pod = basePod();
    const observed = baseObserved(pod);
    observed.sandboxes = [sandbox("sb-0", 0, { state: "notready", ip: "" })];
    const s = status(pod, observed, { previous: { podIP: "10.88.0.5", podIPs: [{ ip: "10.88.0.5" }] } });
    assert.deepEqual([s.podIP, s.podIPs], ["10.88.0.5", [{ ip: "10.88.0.5" }]]);
  });

  test("a container that ran and vanished from the runtime is shown as terminated-unknown", () => {
    const pod = basePod();
    const first = status(pod, baseObserved(pod));
    const observed = baseObserved(pod);
    observed.containers = observed.containers.filter((c) => c.name !== "app");
    const app = status(pod, observed, { previous: first }).containerStatuses[0];
    assert.equal(app?.restartCount, 1);
    assert.deepEqual(app?.lastState.terminated?.reason, "ContainerStatusUnknown");
    assert.deepEqual(app?.state, { waiting: { reason: "ContainerCreating" } });
  });

  test("a terminated container removed from the runtime keeps its reported status", () => {
    const pod = basePod();
    pod.spec.restartPolicy = "Never";
    const observed = baseObserved(pod);
    observed.containers = [exited(pod, "app", 0), exited(pod, "helper", 0)];
    const done = status(pod, observed);
    observed.containers = [];
    const again = status(pod, observed, { previous: done });
    assert.deepEqual(again.containerStatuses, done.containerStatuses);
    assert.equal(again.phase, "Succeeded");
  });

  test("round trip: the status read back as JSON reproduces itself later (stable writes)", () => {
    const pod = basePod();
    const observed = baseObserved(pod);
    replaceContainers(observed, "app", exited(pod, "app", 1, { attempt: 2 }));
    const waiting = { app: { reason: "CrashLoopBackOff", message: "back-off" } };
    const first = status(pod, observed, { waiting });
    const previous = previousStatusOf(JSON.parse(JSON.stringify(first)));
    const later = computePodStatus(pod, observed, { now: NOW + 60 * SECOND, hostIp: HOST_IP, waiting, previous });
    assert.deepEqual(later, first);
  });

  test("an eviction: Failed, reason Evicted with the message, DisruptionTarget; kept when read back, also without the eviction", () => {
    const pod = basePod();
    const observed = baseObserved(pod);
    observed.sandboxes = [sandbox("sb-0", 0, { state: "notready" })];
    observed.containers = [exited(pod, "app", 137), exited(pod, "helper", 137)];
    const message = 'Usage of EmptyDir volume "scratch" exceeds the limit "1Mi". ';
    const evicted = status(pod, observed, { evicted: message });
    assert.equal(evicted.phase, "Failed");
    assert.equal(evicted.reason, "Evicted");
    assert.equal(evicted.message, message);
    assert.deepEqual(
      evicted.conditions.find((c) => c.type === "DisruptionTarget"),
      { type: "DisruptionTarget", status: "True", lastProbeTime: null, lastTransitionTime: NOW_TEXT, reason: "TerminationByKubelet", message },
    );
    // A later pass (another process: no eviction in memory) with the status read back from the API server.
    pod.status = JSON.parse(JSON.stringify(evicted)) as Record<string, unknown>;
    const later = computePodStatus(pod, observed, { now: NOW + 60 * SECOND, hostIp: HOST_IP });
    assert.deepEqual(later, evicted);
  });

  test("previousStatusOf ignores what does not look like a status", () => {
    assert.deepEqual(previousStatusOf(null), {});
    assert.deepEqual(previousStatusOf({ phase: "Weird", conditions: [{ type: 1 }], containerStatuses: "no" }), {
      conditions: [],
      containerStatuses: [],
      initContainerStatuses: [],
    });
  });

  test("qosClass is the pod's QoS", () => {
    const pod = basePod();
    pod.spec.containers = pod.spec.containers.map((c) => ({ ...c, resources: { limits: { cpu: "1", memory: "1Gi" } } }));
    assert.equal(status(pod, baseObserved(pod)).qosClass, "Guaranteed");
  });
});
