// What of a live pod the runtime may forget. kubelet: kuberuntime_gc.go (evictContainers,
// evictSandboxes) with its defaults (--maximum-dead-containers-per-container=1, min age 0).
// The kubelet sweeps every minute; natslet's pod worker asks after each pass of its own pod,
// so a crash-looping container or a sandbox orphaned by a crash never piles up.
import type { ObservedContainer, ObservedPod, ObservedSandbox } from "@natslet/contracts";
import { containersNamed, sandboxesNewestFirst } from "./observed-index.js";

export interface PodGarbage {
  containers: ObservedContainer[];
  sandboxes: ObservedSandbox[];
}

/** How many dead instances of each container to keep: the kubelet's default, 1 (`logs --previous`). */
export const DEAD_CONTAINERS_PER_NAME = 1;

/**
 * For a pod that still exists: dead containers beyond the newest `keepDeadPerName` of each name,
 * and sandboxes that are not ready, hold no container once those are gone, and are not the pod's
 * newest sandbox (the newest says which attempt comes next). Running and unknown containers are
 * never garbage: an unknown one may still have a process.
 */
export function podGarbage(observed: ObservedPod, keepDeadPerName = DEAD_CONTAINERS_PER_NAME): PodGarbage {
  const containers: ObservedContainer[] = [];
  for (const name of new Set(observed.containers.map((c) => c.name))) {
    const dead = containersNamed(observed, name).filter((c) => c.state === "exited" || c.state === "created");
    containers.push(...dead.slice(keepDeadPerName));
  }
  const removed = new Set(containers.map((c) => c.id));
  const holding = new Set(observed.containers.filter((c) => !removed.has(c.id)).map((c) => c.sandboxId));
  const sandboxes = sandboxesNewestFirst(observed)
    .slice(1)
    .filter((s) => s.state === "notready" && !holding.has(s.id));
  return { containers, sandboxes };
}
