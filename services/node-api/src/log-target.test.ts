import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ObservedContainer } from "@natslet/contracts";
import { logTarget, restartPolicyOf, type RestartPolicy } from "./log-target.js";

function attempt(n: number, state: ObservedContainer["state"], exitCode?: number): ObservedContainer {
  return {
    id: `c${n}`, name: "app", sandboxId: "s", attempt: n, state, createdAt: n, image: "i", imageRef: "i", specHash: "h",
    ...(exitCode !== undefined ? { exitCode } : {}),
  };
}

describe("logTarget (kubelet validateContainerLogStatus)", () => {
  const notFound = { error: 'previous terminated container "app" in pod "p" not found' };
  const creating = { error: 'container "app" in pod "p" is waiting to start: ContainerCreating' };
  // [name, attempts newest first, policy, want for plain logs, want for --previous]
  const cases: [string, ObservedContainer[], RestartPolicy | undefined, string | object, string | object][] = [
    ["first attempt running", [attempt(0, "running")], "Always", "c0", notFound],
    ["restarted, running", [attempt(1, "running"), attempt(0, "exited", 1)], "Always", "c1", "c0"],
    // CrashLoopBackOff: state Waiting, lastState = the newest exited attempt, for both.
    ["crash loop: newest exited, waiting to restart", [attempt(2, "exited", 1), attempt(1, "exited", 1)], "Always", "c2", "c2"],
    ["crash loop of a single attempt", [attempt(0, "exited", 1)], "Always", "c0", "c0"],
    ["OnFailure, failed: restarts", [attempt(1, "exited", 2), attempt(0, "exited", 2)], "OnFailure", "c1", "c1"],
    ["OnFailure, succeeded: terminated for good", [attempt(1, "exited", 0), attempt(0, "exited", 2)], "OnFailure", "c1", "c0"],
    ["Never: terminated, lastState the attempt before", [attempt(1, "exited", 1), attempt(0, "exited", 1)], "Never", "c1", "c0"],
    ["Never, single exited attempt", [attempt(0, "exited", 1)], "Never", "c0", notFound],
    ["pod no longer known: nothing restarts", [attempt(1, "exited", 1), attempt(0, "exited", 1)], undefined, "c1", "c0"],
    ["created after a crash: plain shows lastState", [attempt(3, "created"), attempt(2, "exited", 1)], "Always", "c2", "c2"],
    ["created, first attempt", [attempt(0, "created")], "Always", creating, notFound],
  ];
  for (const [name, attempts, policy, plain, previous] of cases) {
    test(name, () => {
      const got = (p: boolean) => {
        const t = logTarget(attempts, { previous: p, policy, container: "app", pod: "p" });
        return t !== undefined && "container" in t ? t.container.id : t;
      };
      assert.deepEqual(got(false), plain);
      assert.deepEqual(got(true), previous);
    });
  }

  test("no attempts: the caller reports", () => {
    assert.equal(logTarget([], { previous: false, policy: "Always", container: "app", pod: "p" }), undefined);
  });
});

test("restartPolicyOf: sidecars always, init containers on failure unless Never, else the pod's", () => {
  const spec = { restartPolicy: "Always" as const, containers: [{ name: "app" }], initContainers: [{ name: "init" }, { name: "side", restartPolicy: "Always" as const }] };
  assert.deepEqual(["app", "init", "side"].map((n) => restartPolicyOf(spec, n)), ["Always", "OnFailure", "Always"]);
  assert.deepEqual(["app", "init", "side"].map((n) => restartPolicyOf({ ...spec, restartPolicy: "Never" }, n)), ["Never", "Never", "Always"]);
  assert.equal(restartPolicyOf({ containers: [] }, "x"), "Always");
});
