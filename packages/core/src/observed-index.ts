// Lookups over a pod's observed containers and sandboxes. The kubelet keeps its PodStatus lists
// sorted newest first and asks "the latest container named X" (kubecontainer.PodStatus
// FindContainerStatusByName); these helpers answer the same questions on ObservedPod.
import type { ObservedContainer, ObservedPod, ObservedSandbox } from "@natslet/contracts";

/** Newest first: by creation time, then by attempt (a clock step must not reorder restarts). */
function newestFirst<T extends { createdAt: number; attempt: number }>(a: T, b: T): number {
  return b.createdAt - a.createdAt || b.attempt - a.attempt;
}

/** The sandboxes, newest first. */
export function sandboxesNewestFirst(observed: ObservedPod): ObservedSandbox[] {
  return [...observed.sandboxes].sort(newestFirst);
}

/** Every container named `name`, newest first. */
export function containersNamed(observed: ObservedPod, name: string): ObservedContainer[] {
  return observed.containers.filter((c) => c.name === name).sort(newestFirst);
}

/** The latest container named `name` (any sandbox), if it ever existed. */
export function latestContainer(observed: ObservedPod, name: string): ObservedContainer | undefined {
  return containersNamed(observed, name)[0];
}

/** The latest container named `name` in one sandbox. */
export function latestContainerIn(observed: ObservedPod, name: string, sandboxId: string): ObservedContainer | undefined {
  return containersNamed(observed, name).find((c) => c.sandboxId === sandboxId);
}

/** Containers with a process that may be alive: what a kill must stop. */
export function isLive(c: ObservedContainer): boolean {
  return c.state === "running" || c.state === "unknown";
}
