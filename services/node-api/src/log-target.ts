// Which container attempt `kubectl logs [--previous]` reads, as the kubelet decides it
// (kubelet_pods.go validateContainerLogStatus over the status convertToAPIContainerStatuses
// builds). The kubelet's status of a container is its newest attempt ("state") and the attempt
// before ("lastState"); but while the newest attempt has exited and waits for its restart
// (CrashLoopBackOff), state is Waiting and lastState is that newest exited attempt — so then
// both plain logs and --previous read the newest attempt. Pure: from the observed attempts.
import type { ObservedContainer } from "@natslet/contracts";

/** When an exited attempt is restarted: the container's (sidecar) or the pod's restart policy. */
export type RestartPolicy = "Always" | "OnFailure" | "Never";

export type LogTarget = { container: ObservedContainer } | { error: string };

/** Whether the runtime will start a newer attempt after `c` exited (the pod syncs it into backoff). */
export function willRestart(c: ObservedContainer, policy: RestartPolicy): boolean {
  if (c.state !== "exited" && c.state !== "unknown") return false;
  if (policy === "Always") return true;
  if (policy === "OnFailure") return c.exitCode !== 0;
  return false;
}

/**
 * The attempt to read. `attempts` are newest first (core containersNamed: by creation, then attempt, as the sync-loop orders them); `policy` is the
 * restart policy that applies to this container (undefined when the pod is no longer known: it
 * is being deleted and nothing restarts). An empty list is the caller's to report (it knows the
 * spec).
 */
export function logTarget(
  attempts: readonly ObservedContainer[],
  opts: { previous: boolean; policy: RestartPolicy | undefined; container: string; pod: string },
): LogTarget | undefined {
  const [newest, before] = attempts;
  if (newest === undefined) return undefined;
  const backoff = willRestart(newest, opts.policy ?? "Never");
  // lastState: the newest attempt while it waits to restart, else the attempt before the newest.
  const lastState = backoff ? newest : before;
  const lastTerminated = lastState !== undefined && lastState.state !== "running" && lastState.state !== "created" ? lastState : undefined;
  if (opts.previous) {
    if (lastTerminated === undefined) return { error: `previous terminated container "${opts.container}" in pod "${opts.pod}" not found` };
    return { container: lastTerminated };
  }
  if (newest.state === "running" || newest.state === "exited" || newest.state === "unknown") return { container: newest };
  // Created, not started: the kubelet's state is Waiting (ContainerCreating); it shows lastState's logs if any.
  if (lastTerminated !== undefined) return { container: lastTerminated };
  return { error: `container "${opts.container}" in pod "${opts.pod}" is waiting to start: ContainerCreating` };
}

interface SpecSubset {
  restartPolicy?: RestartPolicy | undefined;
  containers: readonly { name: string }[];
  initContainers?: readonly { name: string; restartPolicy?: "Always" | undefined }[] | undefined;
}

/** The restart policy of container `name`: a sidecar's own, an init container's OnFailure-at-most, else the pod's (default Always). */
export function restartPolicyOf(spec: SpecSubset, name: string): RestartPolicy {
  const pod = spec.restartPolicy ?? "Always";
  const init = spec.initContainers?.find((c) => c.name === name);
  if (init === undefined) return pod;
  if (init.restartPolicy === "Always") return "Always";
  return pod === "Never" ? "Never" : "OnFailure";
}
