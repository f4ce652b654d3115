import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ObservedPod, Pod } from "@natslet/contracts";
import { computePodActions } from "./actions.js";
import type { ContainerToKill, ContainerToStart, KillReason, PodActions, StartReason } from "./actions-types.js";
import { CrashLoopBackoff, backoffKey } from "./backoff.js";
import {
  NOW, SECOND, UID, baseObserved, basePod, exited, replaceContainers, running, sandbox,
} from "./testing/fixtures.js";

const MINUTE = 60 * SECOND;

function start(name: string, attempt: number, reason: StartReason, extra: Partial<ContainerToStart> = {}): ContainerToStart {
  return { name, attempt, init: false, reason, ...extra };
}
function restart(name: string, attempt: number, finishedAt = NOW - 5 * SECOND, extra: Partial<ContainerToStart> = {}): ContainerToStart {
  return start(name, attempt, "exited", { backoff: { key: backoffKey(UID, name), finishedAt }, ...extra });
}
type Kill = Omit<ContainerToKill, "message">;
function kill(id: string, name: string, reason: KillReason, gracePeriodSeconds = 30): Kill {
  return { id, name, reason, gracePeriodSeconds };
}
/** Kill messages are checked in their own test; the table compares the decisions. */
function withoutMessages(a: PodActions): Omit<PodActions, "containersToKill"> & { containersToKill: Kill[] } {
  return { ...a, containersToKill: a.containersToKill.map(({ message: _, ...k }) => k) };
}

function withInit(pod: Pod): void {
  pod.spec.initContainers = [
    { name: "init-a", image: "busybox:1.36", command: ["true"] },
    { name: "init-b", image: "busybox:1.36", command: ["true"] },
  ];
}

interface Case {
  name: string;
  pod?: (pod: Pod) => void;
  observed?: (observed: ObservedPod, pod: Pod) => void;
  backoff?: (backoff: CrashLoopBackoff) => void;
  /** The pod is being evicted (ActionsContext.evicted). */
  evicted?: boolean;
  /** Changes the "nothing to do" expectation into this case's. */
  want: (want: ReturnType<typeof withoutMessages>) => void;
}

const cases: Case[] = [
  { name: "steady state: nothing to do", want: () => {} },
  {
    name: "new pod: create a sandbox and start every container",
    observed: (o) => {
      o.sandboxes = [];
      o.containers = [];
    },
    want: (w) => {
      delete w.sandboxId;
      w.createSandbox = true;
      w.containersToStart = [start("app", 0, "new"), start("helper", 0, "new")];
    },
  },
  {
    name: "sandbox died with its containers: new sandbox, containers restart as attempt+1",
    observed: (o, pod) => {
      o.sandboxes = [sandbox("sb-0", 0, { state: "notready" })];
      o.containers = [exited(pod, "app", 137), exited(pod, "helper", 137)];
    },
    want: (w) => {
      w.killPod = true;
      w.createSandbox = true;
      w.sandboxAttempt = 1;
      w.containersToStart = [restart("app", 1), restart("helper", 1)];
    },
  },
  {
    name: "sandbox not ready while containers run: kill them, start over in a new sandbox",
    observed: (o) => {
      o.sandboxes = [sandbox("sb-0", 0, { state: "notready" })];
    },
    want: (w) => {
      w.killPod = true;
      w.createSandbox = true;
      w.sandboxAttempt = 1;
      w.containersToKill = [kill("app-0", "app", "sandbox changed"), kill("helper-0", "helper", "sandbox changed")];
      w.containersToStart = [start("app", 1, "sandbox changed"), start("helper", 1, "sandbox changed")];
    },
  },
  {
    name: "sandbox without an IP: stop it and make a new one",
    observed: (o) => {
      o.sandboxes = [sandbox("sb-0", 0, { ip: "" })];
    },
    want: (w) => {
      w.killPod = true;
      w.createSandbox = true;
      w.sandboxAttempt = 1;
      w.sandboxesToStop = ["sb-0"];
      w.containersToKill = [kill("app-0", "app", "sandbox changed"), kill("helper-0", "helper", "sandbox changed")];
      w.containersToStart = [start("app", 1, "sandbox changed"), start("helper", 1, "sandbox changed")];
    },
  },
  {
    name: "two ready sandboxes: stop both, make a third",
    observed: (o) => {
      o.sandboxes.push(sandbox("sb-1", 1));
    },
    want: (w) => {
      w.killPod = true;
      w.createSandbox = true;
      w.sandboxAttempt = 2;
      w.sandboxId = "sb-1";
      w.sandboxesToStop = ["sb-0", "sb-1"];
      w.containersToKill = [kill("app-0", "app", "sandbox changed"), kill("helper-0", "helper", "sandbox changed")];
      w.containersToStart = [start("app", 1, "sandbox changed"), start("helper", 1, "sandbox changed")];
    },
  },
  {
    name: "restartPolicy Always: a container that exited 0 is restarted",
    observed: (o, pod) => replaceContainers(o, "app", exited(pod, "app", 0)),
    want: (w) => {
      w.containersToStart = [restart("app", 1)];
    },
  },
  {
    name: "restartPolicy OnFailure: exit 0 stays down",
    pod: (p) => {
      p.spec.restartPolicy = "OnFailure";
    },
    observed: (o, pod) => replaceContainers(o, "app", exited(pod, "app", 0)),
    want: () => {},
  },
  {
    name: "restartPolicy OnFailure: exit 1 is restarted",
    pod: (p) => {
      p.spec.restartPolicy = "OnFailure";
    },
    observed: (o, pod) => replaceContainers(o, "app", exited(pod, "app", 1)),
    want: (w) => {
      w.containersToStart = [restart("app", 1)];
    },
  },
  {
    name: "restartPolicy Never: exit 1 stays down while another container runs",
    pod: (p) => {
      p.spec.restartPolicy = "Never";
    },
    observed: (o, pod) => replaceContainers(o, "app", exited(pod, "app", 1)),
    want: () => {},
  },
  {
    name: "restartPolicy Never: all exited, the pod is finished: stop the sandbox",
    pod: (p) => {
      p.spec.restartPolicy = "Never";
    },
    observed: (o, pod) => {
      o.containers = [exited(pod, "app", 0), exited(pod, "helper", 1)];
    },
    want: (w) => {
      w.killPod = true;
      w.podDone = true;
      w.sandboxesToStop = ["sb-0"];
    },
  },
  {
    name: "restartPolicy Never: sandbox gone after the containers ran: no new sandbox",
    pod: (p) => {
      p.spec.restartPolicy = "Never";
    },
    observed: (o, pod) => {
      o.sandboxes = [sandbox("sb-0", 0, { state: "notready" })];
      o.containers = [exited(pod, "app", 0), exited(pod, "helper", 0)];
    },
    want: (w) => {
      w.killPod = true;
      w.podDone = true;
      w.sandboxAttempt = 1;
    },
  },
  {
    name: "restartPolicy Never: sandbox gone before any container was made: try again",
    pod: (p) => {
      p.spec.restartPolicy = "Never";
    },
    observed: (o) => {
      o.sandboxes = [sandbox("sb-0", 0, { state: "notready" })];
      o.containers = [];
    },
    want: (w) => {
      w.killPod = true;
      w.createSandbox = true;
      w.sandboxAttempt = 1;
      w.containersToStart = [start("app", 0, "new"), start("helper", 0, "new")];
    },
  },
  {
    name: "restartPolicy OnFailure: sandbox gone, all succeeded: finished, no new sandbox",
    pod: (p) => {
      p.spec.restartPolicy = "OnFailure";
    },
    observed: (o, pod) => {
      o.sandboxes = [sandbox("sb-0", 0, { state: "notready" })];
      o.containers = [exited(pod, "app", 0), exited(pod, "helper", 0)];
    },
    want: (w) => {
      w.killPod = true;
      w.podDone = true;
      w.sandboxAttempt = 1;
    },
  },
  {
    name: "restartPolicy OnFailure: sandbox gone, only the failed container runs again",
    pod: (p) => {
      p.spec.restartPolicy = "OnFailure";
    },
    observed: (o, pod) => {
      o.sandboxes = [sandbox("sb-0", 0, { state: "notready" })];
      o.containers = [exited(pod, "app", 2), exited(pod, "helper", 0)];
    },
    want: (w) => {
      w.killPod = true;
      w.createSandbox = true;
      w.sandboxAttempt = 1;
      w.containersToStart = [restart("app", 1)];
    },
  },
  {
    name: "crash loop: still in back-off: waiting with the kubelet's message",
    observed: (o, pod) => replaceContainers(o, "app", exited(pod, "app", 1, { attempt: 2 })),
    backoff: (b) => {
      const key = backoffKey(UID, "app");
      b.next(key, NOW - 40 * SECOND); // 10s
      b.next(key, NOW - 20 * SECOND); // 20s
    },
    want: (w) => {
      w.waiting = [
        {
          name: "app",
          reason: "CrashLoopBackOff",
          message: `back-off 20s restarting failed container=app pod=web_default(${UID})`,
          retryInMs: 15 * SECOND,
        },
      ];
    },
  },
  {
    name: "crash loop: back-off elapsed: restart",
    observed: (o, pod) => replaceContainers(o, "app", exited(pod, "app", 1, { attempt: 2 }, 25 * SECOND)),
    backoff: (b) => {
      const key = backoffKey(UID, "app");
      b.next(key, NOW - 60 * SECOND);
      b.next(key, NOW - 50 * SECOND);
    },
    want: (w) => {
      w.containersToStart = [restart("app", 3, NOW - 25 * SECOND)];
    },
  },
  {
    name: "crash loop: it ran for more than 10 minutes: back-off forgotten, restart now",
    observed: (o, pod) => replaceContainers(o, "app", exited(pod, "app", 1, { attempt: 7 })),
    backoff: (b) => {
      for (let i = 0; i < 8; i++) b.next(backoffKey(UID, "app"), NOW - 15 * MINUTE);
    },
    want: (w) => {
      w.containersToStart = [restart("app", 8)];
    },
  },
  {
    name: "spec hash changed (new image): kill and start the next attempt",
    pod: (p) => {
      p.spec.containers[0] = { ...p.spec.containers[0], name: "app", image: "nginx:1.28" };
    },
    observed: (o) => replaceContainers(o, "app", running(basePod(), "app")),
    want: (w) => {
      w.containersToKill = [kill("app-0", "app", "spec changed")];
      w.containersToStart = [start("app", 1, "spec changed")];
    },
  },
  {
    name: "resources changed: same hash, no restart",
    pod: (p) => {
      p.spec.containers[0] = { ...p.spec.containers[0], name: "app", image: "nginx:1.27", resources: { limits: { cpu: "2" } } };
    },
    observed: (o) => replaceContainers(o, "app", running(basePod(), "app")),
    want: () => {},
  },
  {
    name: "a running container whose name is not in the spec is killed",
    observed: (o, pod) => {
      o.containers.push(running(pod, "app", { id: "old-0", name: "old" }));
    },
    want: (w) => {
      w.containersToKill = [kill("old-0", "old", "not in spec")];
    },
  },
  {
    name: "container in unknown state: kill it first, then start the next attempt",
    observed: (o, pod) => replaceContainers(o, "app", running(pod, "app", { state: "unknown" })),
    want: (w) => {
      w.containersToKill = [kill("app-0", "app", "unknown state")];
      w.containersToStart = [start("app", 1, "unknown state")];
    },
  },
  {
    // The agent died between CreateContainer and StartContainer: starting that same attempt is
    // idempotent (EnsureContainer starts the created one); attempt+1 would make a second container.
    name: "created but never started: start that same attempt, no second container",
    observed: (o, pod) => replaceContainers(o, "app", running(pod, "app", { state: "created" })),
    want: (w) => {
      w.containersToStart = [start("app", 0, "not started")];
    },
  },
  {
    name: "running container left in an old sandbox: kill it, start it in the current one",
    observed: (o, pod) => {
      o.sandboxes = [sandbox("sb-0", 0, { state: "notready" }), sandbox("sb-1", 1)];
      replaceContainers(o, "helper", running(pod, "helper", { id: "helper-1", sandboxId: "sb-1", attempt: 1 }));
    },
    want: (w) => {
      w.sandboxAttempt = 1;
      w.sandboxId = "sb-1";
      w.containersToKill = [kill("app-0", "app", "sandbox changed")];
      w.containersToStart = [start("app", 1, "sandbox changed")];
    },
  },
  {
    name: "pod deleted: kill everything with the deletion grace period, start nothing",
    pod: (p) => {
      p.metadata.deletionTimestamp = "2026-11-28T06:20:00Z";
      p.metadata.deletionGracePeriodSeconds = 10;
    },
    observed: (o, pod) => replaceContainers(o, "helper", exited(pod, "helper", 1)),
    want: (w) => {
      w.killPod = true;
      w.podDone = true;
      w.sandboxesToStop = ["sb-0"];
      w.containersToKill = [kill("app-0", "app", "pod deleted", 10)];
    },
  },
  {
    name: "pod deleted with grace 0: still 2 s to stop",
    pod: (p) => {
      p.metadata.deletionTimestamp = "2026-11-28T06:20:00Z";
      p.metadata.deletionGracePeriodSeconds = 0;
    },
    want: (w) => {
      w.killPod = true;
      w.podDone = true;
      w.sandboxesToStop = ["sb-0"];
      w.containersToKill = [kill("app-0", "app", "pod deleted", 2), kill("helper-0", "helper", "pod deleted", 2)];
    },
  },
  {
    name: "evicted: kill everything at once (2 s, not the pod's 30), start nothing",
    evicted: true,
    observed: (o, pod) => replaceContainers(o, "helper", exited(pod, "helper", 1)),
    want: (w) => {
      w.killPod = true;
      w.podDone = true;
      w.sandboxesToStop = ["sb-0"];
      w.containersToKill = [kill("app-0", "app", "pod evicted", 2)];
    },
  },
  {
    name: "API status Failed (evicted by an earlier process): the stopped pod is never started again",
    pod: (p) => {
      p.status = { phase: "Failed", reason: "Evicted" };
    },
    observed: (o, pod) => {
      o.sandboxes = [sandbox("sb-0", 0, { state: "notready" })];
      o.containers = [exited(pod, "app", 137), exited(pod, "helper", 137)];
    },
    want: (w) => {
      w.killPod = true;
      w.podDone = true;
      w.sandboxAttempt = 1;
    },
  },
  {
    name: "API status Succeeded with something still running: it is stopped",
    pod: (p) => {
      p.status = { phase: "Succeeded" };
    },
    observed: (o, pod) => replaceContainers(o, "helper", exited(pod, "helper", 0)),
    want: (w) => {
      w.killPod = true;
      w.podDone = true;
      w.sandboxesToStop = ["sb-0"];
      w.containersToKill = [kill("app-0", "app", "pod finished")];
    },
  },
  {
    name: "sidecar init container: refused as unsupported, nothing runs",
    pod: (p) => {
      p.spec.initContainers = [{ name: "proxy", image: "envoy", restartPolicy: "Always" }];
    },
    want: (w) => {
      w.killPod = true;
      w.podDone = true;
      w.sandboxesToStop = ["sb-0"];
      w.containersToKill = [kill("app-0", "app", "pod finished"), kill("helper-0", "helper", "pod finished")];
      w.unsupported = {
        reason: "UnsupportedPodSpec",
        message: "restartable init containers (sidecars) are not supported by natslet: proxy",
      };
    },
  },
  // Init containers: one at a time, in order, each to exit 0, before the regular containers.
  {
    name: "init: new pod starts only the first init container",
    pod: withInit,
    observed: (o) => {
      o.sandboxes = [];
      o.containers = [];
    },
    want: (w) => {
      delete w.sandboxId;
      w.createSandbox = true;
      w.containersToStart = [start("init-a", 0, "new", { init: true })];
    },
  },
  {
    name: "init: the first one runs: wait",
    pod: withInit,
    observed: (o, pod) => {
      o.containers = [running(pod, "init-a")];
    },
    want: () => {},
  },
  {
    name: "init: the first one succeeded: start the second",
    pod: withInit,
    observed: (o, pod) => {
      o.containers = [exited(pod, "init-a", 0)];
    },
    want: (w) => {
      w.containersToStart = [start("init-b", 0, "new", { init: true })];
    },
  },
  {
    name: "init: all succeeded: start the regular containers",
    pod: withInit,
    observed: (o, pod) => {
      o.containers = [exited(pod, "init-a", 0), exited(pod, "init-b", 0)];
    },
    want: (w) => {
      w.containersToStart = [start("app", 0, "new"), start("helper", 0, "new")];
    },
  },
  {
    name: "init: failed under Always: retried as the next attempt",
    pod: withInit,
    observed: (o, pod) => {
      o.containers = [exited(pod, "init-a", 1)];
    },
    want: (w) => {
      w.containersToStart = [restart("init-a", 1, NOW - 5 * SECOND, { init: true })];
    },
  },
  {
    name: "init: failed under Never: the pod fails",
    pod: (p) => {
      withInit(p);
      p.spec.restartPolicy = "Never";
    },
    observed: (o, pod) => {
      o.containers = [exited(pod, "init-a", 0), exited(pod, "init-b", 1)];
    },
    want: (w) => {
      w.killPod = true;
      w.podDone = true;
      w.sandboxesToStop = ["sb-0"];
    },
  },
  {
    name: "init: OOM-killed counts as failed even with exit 0",
    pod: withInit,
    observed: (o, pod) => {
      o.containers = [exited(pod, "init-a", 0, { reason: "OOMKilled" })];
    },
    want: (w) => {
      w.containersToStart = [restart("init-a", 1, NOW - 5 * SECOND, { init: true })];
    },
  },
  {
    name: "init: failed and in back-off: waiting",
    pod: withInit,
    observed: (o, pod) => {
      o.containers = [exited(pod, "init-a", 1, { attempt: 1 })];
    },
    backoff: (b) => {
      b.next(backoffKey(UID, "init-a"), NOW - 8 * SECOND);
    },
    want: (w) => {
      w.waiting = [
        {
          name: "init-a",
          reason: "CrashLoopBackOff",
          message: `back-off 10s restarting failed container=init-a pod=web_default(${UID})`,
          retryInMs: 5 * SECOND,
        },
      ];
    },
  },
  {
    name: "init: sandbox died: new sandbox runs the init containers again",
    pod: withInit,
    observed: (o, pod) => {
      o.sandboxes = [sandbox("sb-0", 0, { state: "notready" })];
      o.containers = [exited(pod, "init-a", 0), exited(pod, "init-b", 0), exited(pod, "app", 137), exited(pod, "helper", 137)];
    },
    want: (w) => {
      w.killPod = true;
      w.createSandbox = true;
      w.sandboxAttempt = 1;
      w.containersToStart = [restart("init-a", 1, NOW - 5 * SECOND, { init: true })];
    },
  },
  {
    name: "init: succeeded only in the old sandbox: run them again in the new one",
    pod: withInit,
    observed: (o, pod) => {
      o.sandboxes = [sandbox("sb-0", 0, { state: "notready" }), sandbox("sb-1", 1)];
      o.containers = [exited(pod, "init-a", 0), exited(pod, "init-b", 0), exited(pod, "app", 137), exited(pod, "helper", 137)];
    },
    want: (w) => {
      w.sandboxAttempt = 1;
      w.sandboxId = "sb-1";
      w.containersToStart = [restart("init-a", 1, NOW - 5 * SECOND, { init: true })];
    },
  },
  {
    name: "init: regular containers run: initialized even if the init containers were removed",
    pod: withInit,
    want: () => {},
  },
];

describe("computePodActions", () => {
  for (const c of cases) {
    test(c.name, () => {
      const pod = basePod();
      c.pod?.(pod);
      const observed = baseObserved(pod);
      c.observed?.(observed, pod);
      const backoff = new CrashLoopBackoff();
      c.backoff?.(backoff);

      const want = withoutMessages({
        killPod: false,
        createSandbox: false,
        sandboxAttempt: 0,
        sandboxId: "sb-0",
        sandboxesToStop: [],
        containersToStart: [],
        containersToKill: [],
        waiting: [],
      });
      c.want(want);
      assert.deepEqual(withoutMessages(computePodActions(pod, observed, { now: NOW, backoff, ...(c.evicted ? { evicted: true } : {}) })), want);
    });
  }

  test("kill messages say why, in the kubelet's words", () => {
    const pod = basePod();
    pod.spec.containers[0] = { name: "app", image: "nginx:1.28" };
    const observed = baseObserved(basePod());
    observed.containers.push(running(pod, "app", { id: "old-0", name: "old" }));
    const messages = computePodActions(pod, observed, { now: NOW }).containersToKill.map((k) => k.message);
    assert.deepEqual(messages, ["Container old is not in the pod spec", "Container app definition changed, will be restarted"]);
  });

  test("without a back-off store restarts are never delayed", () => {
    const pod = basePod();
    const observed = baseObserved(pod);
    replaceContainers(observed, "app", exited(pod, "app", 1, { attempt: 4 }, 0));
    assert.deepEqual(computePodActions(pod, observed, { now: NOW }).containersToStart.map((s) => s.attempt), [5]);
  });

  test("computing is pure: the same inputs give the same actions and the inputs stay as they were", () => {
    const pod = basePod();
    const observed = baseObserved(pod);
    replaceContainers(observed, "app", exited(pod, "app", 1));
    const before = structuredClone(observed);
    const backoff = new CrashLoopBackoff();
    const a = computePodActions(pod, observed, { now: NOW, backoff });
    const b = computePodActions(pod, observed, { now: NOW, backoff });
    assert.deepEqual(a, b);
    assert.deepEqual(observed, before);
    assert.equal(backoff.size, 0);
  });
});
