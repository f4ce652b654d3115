// The restart policy rules. kubelet: kubecontainer.ShouldContainerBeRestarted and kuberuntime
// shouldRestartOnFailure / containerSucceeded.
import type { ObservedContainer, Pod } from "@natslet/contracts";

export type RestartPolicy = "Always" | "OnFailure" | "Never";

/** The API server defaults restartPolicy to Always. */
export function restartPolicyOf(pod: Pod): RestartPolicy {
  return pod.spec.restartPolicy ?? "Always";
}

/** Whether a failed container (or a failed init container) is retried. */
export function shouldRestartOnFailure(pod: Pod): boolean {
  return restartPolicyOf(pod) !== "Never";
}

/** The latest run of the container exited 0. */
export function containerSucceeded(latest: ObservedContainer | undefined): boolean {
  return latest?.state === "exited" && latest.exitCode === 0;
}

/**
 * Whether a container that is not running should be (re)started, given its latest run:
 * never once the pod is being deleted; always when it never ran, was only created, or its state
 * is unknown; after an exit, by restartPolicy (Never: no; OnFailure: only a non-zero exit).
 */
export function shouldContainerBeRestarted(pod: Pod, latest: ObservedContainer | undefined): boolean {
  if (pod.metadata.deletionTimestamp !== undefined) return false;
  if (latest === undefined) return true;
  switch (latest.state) {
    case "running":
      return false;
    case "created":
    case "unknown":
      return true;
    case "exited":
      break;
  }
  switch (restartPolicyOf(pod)) {
    case "Never":
      return false;
    case "OnFailure":
      return latest.exitCode !== 0;
    case "Always":
      return true;
  }
}
