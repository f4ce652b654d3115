// The containerStatuses / initContainerStatuses of a PodStatus, from the runtime's view.
// kubelet: (*Kubelet).convertToAPIContainerStatuses in kubelet_pods.go.
import type { Container, ObservedContainer, ObservedPod, Pod } from "@natslet/contracts";
import { containersNamed } from "./observed-index.js";
import type { ContainerState, ContainerStatus } from "./pod-status-types.js";
import { shouldContainerBeRestarted } from "./restart-policy.js";
import { rfc3339 } from "./time.js";

/** Why a container waits, as the kubelet's reasonCache remembers it (ErrImagePull, CrashLoopBackOff, ...). */
export interface WaitingReason {
  reason: string;
  message?: string;
}

export interface ContainerStatusOptions {
  /** "containerd": containerID is "<runtimeName>://<id>". */
  runtimeName: string;
  /** Init containers: ready means "exited 0". */
  init: boolean;
  /** Waiting reason for a container not yet created: PodInitializing while a pod has init containers. */
  defaultWaitingReason: "ContainerCreating" | "PodInitializing";
  /** The pod is being deleted: nothing is ready any more. */
  terminating: boolean;
  waiting?: Readonly<Record<string, WaitingReason>> | undefined;
  previous?: readonly ContainerStatus[] | undefined;
}

/** The exit code the kubelet reports for a termination it had to infer (as if SIGKILLed). */
const EXIT_CODE_UNKNOWN = 137;

/** One status per container in spec order. */
export function containerStatuses(
  pod: Pod,
  observed: ObservedPod,
  containers: readonly Container[],
  opts: ContainerStatusOptions,
): ContainerStatus[] {
  return containers.map((container) => {
    const prev = opts.previous?.find((s) => s.name === container.name);
    const [latest, before] = containersNamed(observed, container.name);
    const status = latest ? fromRun(container, latest, prev, opts) : fromPrevious(pod, container, prev, opts);
    if (latest && before) status.lastState = fromRun(container, before, undefined, opts).state;

    // A container that will be started again shows why it is not running yet (kubelet: reasonCache).
    const waiting = opts.waiting?.[container.name];
    const initDone = opts.init && latest?.state === "exited" && latest.exitCode === 0;
    if (waiting && !initDone && shouldContainerBeRestarted(pod, latest)) {
      if (status.state.terminated) status.lastState = status.state;
      status.state = { waiting: { reason: waiting.reason, ...(waiting.message ? { message: waiting.message } : {}) } };
    }

    status.started = status.state.running !== undefined;
    status.ready = opts.init
      ? status.state.terminated?.exitCode === 0
      : status.state.running !== undefined && !opts.terminating;
    return status;
  });
}

/** The status of the container's latest (or second-latest) run. */
function fromRun(container: Container, run: ObservedContainer, prev: ContainerStatus | undefined, opts: ContainerStatusOptions): ContainerStatus {
  const containerID = `${opts.runtimeName}://${run.id}`;
  const status: ContainerStatus = {
    name: container.name,
    state: {},
    lastState: {},
    ready: false,
    restartCount: run.attempt,
    image: container.image,
    imageID: run.imageRef,
    containerID,
    started: false,
  };
  switch (run.state) {
    case "running":
      status.state = { running: { startedAt: rfc3339(run.startedAt ?? run.createdAt) } };
      break;
    case "exited":
      status.state = { terminated: terminated(run, containerID) };
      break;
    case "created":
      // kubelet leaves the reason empty here; ContainerCreating says what is going on.
      status.state = { waiting: { reason: "ContainerCreating" } };
      break;
    case "unknown":
      if (prev?.state.running) {
        // It ran and is gone without an exit code: report a failed termination, not a
        // "waiting" that would make a run-once pod look like it never ran.
        status.state = {
          terminated: {
            exitCode: EXIT_CODE_UNKNOWN,
            reason: "ContainerStatusUnknown",
            message: "The container could not be located when the pod was terminated",
          },
        };
        status.restartCount = prev.restartCount + 1;
      } else {
        status.state = { waiting: {} };
      }
      break;
  }
  return status;
}

/** exit code, reason (the runtime's, else Completed/Error) and the termination message. */
function terminated(run: ObservedContainer, containerID: string): NonNullable<ContainerState["terminated"]> {
  const exitCode = run.exitCode ?? 0;
  const message = [run.message, run.terminationMessage].filter((m) => m !== undefined && m !== "").join(": ");
  return {
    exitCode,
    reason: run.reason || (exitCode === 0 ? "Completed" : "Error"),
    ...(message ? { message } : {}),
    ...(run.startedAt !== undefined ? { startedAt: rfc3339(run.startedAt) } : {}),
    ...(run.finishedAt !== undefined ? { finishedAt: rfc3339(run.finishedAt) } : {}),
    containerID,
  };
}

/**
 * No run in the runtime (never created, or removed since): the default waiting state, with what
 * the previous status knew. A terminated status is kept as it was; a container that was running
 * and vanished is shown as terminated-unknown, so the pod does not fall back to Pending.
 */
function fromPrevious(pod: Pod, container: Container, prev: ContainerStatus | undefined, opts: ContainerStatusOptions): ContainerStatus {
  if (prev?.state.terminated) return { ...prev, image: container.image };
  const status: ContainerStatus = {
    name: container.name,
    state: { waiting: { reason: opts.defaultWaitingReason } },
    lastState: prev?.lastState ?? {},
    ready: false,
    restartCount: prev?.restartCount ?? 0,
    image: container.image,
    imageID: "",
    started: false,
  };
  if (prev?.state.running && !status.lastState.terminated) {
    status.lastState = {
      terminated: {
        exitCode: EXIT_CODE_UNKNOWN,
        reason: "ContainerStatusUnknown",
        message: "The container could not be located when the pod was deleted.  The container used to be Running",
      },
    };
    if (pod.metadata.deletionTimestamp === undefined) status.restartCount += 1;
  }
  return status;
}
