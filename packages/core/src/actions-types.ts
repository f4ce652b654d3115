// What a pod sync must do, as plain data: decided by computePodActions, carried out by the
// sync-loop through the runtime-adapter. kubelet: kuberuntime podActions / containerToKillInfo.
import type { Unsupported } from "./admit.js";

/** Why a container is started. */
export type StartReason =
  | "new" // never created
  | "exited" // the last run exited and the restart policy wants it again
  | "not started" // created but never started (e.g. the agent died in between)
  | "unknown state" // the runtime lost track of it; killed first
  | "spec changed" // running from an older spec; killed first
  | "sandbox changed"; // the sandbox is being replaced

/** Why a container is killed. */
export type KillReason = "pod deleted" | "sandbox changed" | "spec changed" | "not in spec" | "unknown state" | "pod finished" | "pod evicted";

/** kubelet: podActions.ContainersToStart / InitContainersToStart. */
export interface ContainerToStart {
  name: string;
  /** CRI metadata.attempt = restart count: the latest run's attempt + 1, 0 for the first run. */
  attempt: number;
  /** An init container (run alone, to completion, before the next one). */
  init: boolean;
  reason: StartReason;
  /**
   * Set for a restart after an exit: pass the actions to recordRestarts when the start is
   * issued, so the next failure waits longer (kubelet: backOff.Next in doBackOff).
   */
  backoff?: { key: string; finishedAt: number };
}

/** kubelet: containerToKillInfo. */
export interface ContainerToKill {
  id: string;
  name: string;
  reason: KillReason;
  /** Human-readable, for the Killing event. */
  message: string;
  /** SIGTERM → SIGKILL grace: the pod's deletion/termination grace period, at least 2 s. */
  gracePeriodSeconds: number;
}

/** A container that should run but has to wait out its crash-loop back-off. */
export interface ContainerWaiting {
  name: string;
  reason: "CrashLoopBackOff";
  /** kubelet's text: "back-off 20s restarting failed container=app pod=web_default(uid)". */
  message: string;
  /** When to sync again to start it. */
  retryInMs: number;
}

/** kubelet: kuberuntime podActions. */
export interface PodActions {
  /** Stop every live container and every ready sandbox (listed below) before anything else. */
  killPod: boolean;
  createSandbox: boolean;
  /** Attempt of the sandbox to create, or of the current one. */
  sandboxAttempt: number;
  /** The newest observed sandbox: where containers start when createSandbox is false. */
  sandboxId?: string;
  /** Ready sandboxes to stop (with killPod). */
  sandboxesToStop: string[];
  containersToStart: ContainerToStart[];
  containersToKill: ContainerToKill[];
  waiting: ContainerWaiting[];
  /** No container of this pod will run again: it finished, failed, was deleted or refused. */
  podDone?: boolean;
  /** The pod uses something natslet does not implement; report it, run nothing. */
  unsupported?: Unsupported;
}
