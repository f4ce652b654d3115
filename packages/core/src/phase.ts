// The pod phase from its container statuses. kubelet: getPhase in kubelet_pods.go.
import type { Pod } from "@natslet/contracts";
import type { ContainerStatus, PodPhase } from "./pod-status-types.js";
import { restartPolicyOf } from "./restart-policy.js";

/**
 * - Failed: an init container failed and restartPolicy is Never.
 * - Pending: an init container has not succeeded yet, or a container waits to start for the first time.
 * - Running: every container started and one runs (or all stopped and will be restarted).
 * - Succeeded / Failed: all containers stopped for good — by exit codes; also when the pod is
 *   terminal (deleted and stopped), whatever the restart policy.
 * A waiting container that has terminated before counts as stopped, not pending: a crash-looping
 * pod is Running, not Pending.
 */
export function podPhase(
  pod: Pod,
  initStatuses: readonly ContainerStatus[],
  statuses: readonly ContainerStatus[],
  podIsTerminal: boolean,
): PodPhase {
  const policy = restartPolicyOf(pod);
  let pendingInit = 0;
  let failedInit = 0;
  for (const init of pod.spec.initContainers ?? []) {
    const s = initStatuses.find((c) => c.name === init.name);
    if (s === undefined || s.state.running) pendingInit++;
    else if (s.state.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.state.waiting && s.lastState.terminated) {
      if (s.lastState.terminated.exitCode !== 0) failedInit++;
    } else pendingInit++;
  }

  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const container of pod.spec.containers) {
    const s = statuses.find((c) => c.name === container.name);
    if (s === undefined) unknown++;
    else if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state.waiting) {
      if (s.lastState.terminated) stopped++;
      else waiting++;
    } else unknown++;
  }

  if (failedInit > 0 && policy === "Never") return "Failed";
  if (pendingInit > 0 || waiting > 0) return "Pending";
  if (running > 0 && unknown === 0) return "Running";
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (podIsTerminal) return stopped === succeeded ? "Succeeded" : "Failed";
    if (policy === "Always") return "Running"; // all are being restarted
    if (stopped === succeeded) return "Succeeded";
    if (policy === "Never") return "Failed";
    return "Running"; // OnFailure: the failed ones are being restarted
  }
  return "Pending";
}
