// Init container progress: which init container runs next, and whether initialization is done
// or failed. kubelet: kuberuntime findNextInitContainerToRun / isInitContainerFailed (the
// non-sidecar path; restartable "sidecar" init containers are refused in admit.ts).
import type { Container, ObservedContainer, Pod } from "@natslet/contracts";

/** The latest run of a container by name, in whatever scope the caller chose. */
export type LatestByName = (name: string) => ObservedContainer | undefined;

export interface InitProgress {
  /** All init containers succeeded (or a regular container already runs). */
  done: boolean;
  /** The init container to start next, if any. */
  next?: Container;
  /** The latest run of the failed init container `next` restarts. */
  failed?: ObservedContainer;
}

/** OOM-killed, a non-zero exit, or an unknown state counts as an init container failure. */
export function isInitContainerFailed(c: ObservedContainer): boolean {
  if (c.reason === "OOMKilled") return true;
  if (c.state === "exited" && c.exitCode !== 0) return true;
  return c.state === "unknown";
}

/**
 * Init containers run one at a time in order, each to a zero exit.
 * - A running regular container means initialization happened before (its init containers may
 *   be gone from the runtime since): done.
 * - The last failed init container is retried (or fails the pod, by restart policy).
 * - Otherwise the one after the last one that exited; a running one means "wait".
 */
export function findNextInitContainerToRun(pod: Pod, latest: LatestByName): InitProgress {
  const inits = pod.spec.initContainers ?? [];
  if (inits.length === 0) return { done: true };
  if (pod.spec.containers.some((c) => latest(c.name)?.state === "running")) return { done: true };

  for (let i = inits.length - 1; i >= 0; i--) {
    const init = inits[i];
    const status = init && latest(init.name);
    if (init && status && isInitContainerFailed(status)) return { done: false, next: init, failed: status };
  }
  for (let i = inits.length - 1; i >= 0; i--) {
    const status = latest(inits[i]?.name ?? "");
    if (status === undefined) continue;
    if (status.state === "running") return { done: false };
    if (status.state === "exited") {
      const following = inits[i + 1];
      return following === undefined ? { done: true } : { done: false, next: following };
    }
  }
  const first = inits[0];
  return first === undefined ? { done: true } : { done: false, next: first };
}
