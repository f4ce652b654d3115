import assert from "node:assert/strict";
import { test } from "node:test";
import type { ObservedPod } from "@natslet/contracts";
import { podGarbage } from "./garbage.js";
import { baseObserved, basePod, exited, NOW, replaceContainers, running, sandbox, SECOND } from "./testing/fixtures.js";

const pod = basePod();
/** Container `app`, attempt n, created n seconds after the first, in `sandboxId`. */
const app = (n: number, state: "running" | "exited" | "created" | "unknown", sandboxId = "sb-0") => ({
  ...(state === "exited" ? exited(pod, "app", 1) : running(pod, "app", { state })),
  id: `app-${n}`,
  attempt: n,
  sandboxId,
  createdAt: NOW - 100 * SECOND + n * SECOND,
});

const cases: Array<{ name: string; observed: (o: ObservedPod) => void; containers: string[]; sandboxes: string[] }> = [
  { name: "all running, one sandbox: nothing", observed: () => undefined, containers: [], sandboxes: [] },
  {
    name: "a restarted container: the one dead instance stays (logs --previous)",
    observed: (o) => replaceContainers(o, "app", app(0, "exited"), app(1, "running")),
    containers: [],
    sandboxes: [],
  },
  {
    name: "a crash loop: dead instances beyond the newest dead one go",
    observed: (o) => replaceContainers(o, "app", app(0, "exited"), app(1, "exited"), app(2, "exited"), app(3, "running")),
    containers: ["app-1", "app-0"],
    sandboxes: [],
  },
  {
    name: "the newest instance dead too: it and nothing else is kept",
    observed: (o) => replaceContainers(o, "app", app(0, "exited"), app(1, "exited")),
    containers: ["app-0"],
    sandboxes: [],
  },
  {
    name: "a created (never started) instance counts as dead",
    observed: (o) => replaceContainers(o, "app", app(0, "created"), app(1, "exited"), app(2, "running")),
    containers: ["app-0"],
    sandboxes: [],
  },
  {
    name: "unknown instances are never removed (a process may be left)",
    observed: (o) => replaceContainers(o, "app", app(0, "unknown"), app(1, "exited"), app(2, "exited")),
    containers: ["app-1"],
    sandboxes: [],
  },
  {
    name: "a not-ready sandbox left by a crash, without containers: removed",
    observed: (o) => {
      o.sandboxes = [sandbox("sb-0", 0, { state: "notready" }), sandbox("sb-1", 1)];
      for (const c of o.containers) c.sandboxId = "sb-1";
    },
    containers: [],
    sandboxes: ["sb-0"],
  },
  {
    name: "the newest sandbox stays even when not ready and empty",
    observed: (o) => {
      o.sandboxes = [sandbox("sb-0", 0, { state: "notready" }), sandbox("sb-1", 1, { state: "notready" })];
      o.containers = [];
    },
    containers: [],
    sandboxes: ["sb-0"],
  },
  {
    name: "an old sandbox holding the one kept dead instance stays",
    observed: (o) => {
      o.sandboxes = [sandbox("sb-0", 0, { state: "notready" }), sandbox("sb-1", 1)];
      replaceContainers(o, "app", app(0, "exited", "sb-0"), app(1, "running", "sb-1"));
      replaceContainers(o, "helper", { ...running(pod, "helper"), sandboxId: "sb-1" });
    },
    containers: [],
    sandboxes: [],
  },
  {
    name: "an old sandbox whose dead instances all go is removed with them",
    observed: (o) => {
      o.sandboxes = [sandbox("sb-0", 0, { state: "notready" }), sandbox("sb-1", 1)];
      replaceContainers(o, "app", app(0, "exited", "sb-0"), app(1, "exited", "sb-1"), app(2, "running", "sb-1"));
      replaceContainers(o, "helper", { ...running(pod, "helper"), sandboxId: "sb-1" });
    },
    containers: ["app-0"],
    sandboxes: ["sb-0"],
  },
  {
    name: "an old sandbox still ready is not garbage (the pod worker stops it first)",
    observed: (o) => {
      o.sandboxes = [sandbox("sb-0", 0), sandbox("sb-1", 1)];
      for (const c of o.containers) c.sandboxId = "sb-1";
    },
    containers: [],
    sandboxes: [],
  },
];

for (const c of cases) {
  test(`pod garbage: ${c.name}`, () => {
    const observed = baseObserved(pod);
    c.observed(observed);
    const garbage = podGarbage(observed);
    assert.deepEqual(garbage.containers.map((x) => x.id).sort(), [...c.containers].sort());
    assert.deepEqual(garbage.sandboxes.map((x) => x.id), c.sandboxes);
  });
}

test("pod garbage: keeping more dead instances per name", () => {
  const observed = baseObserved(pod);
  replaceContainers(observed, "app", app(0, "exited"), app(1, "exited"), app(2, "exited"), app(3, "running"));
  assert.deepEqual(podGarbage(observed, 2).containers.map((x) => x.id), ["app-0"]);
  assert.deepEqual(podGarbage(observed, 0).containers.map((x) => x.id).sort(), ["app-0", "app-1", "app-2"]);
});
