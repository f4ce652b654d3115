// Whether the pod needs a new sandbox. kubelet: kuberuntime/util.PodSandboxChanged.
import type { ObservedPod, ObservedSandbox, Pod } from "@natslet/contracts";
import { sandboxesNewestFirst } from "./observed-index.js";

export type SandboxChangeReason =
  | "no sandbox"
  | "more than one ready sandbox"
  | "sandbox not ready"
  | "network namespace changed"
  | "sandbox has no IP";

export interface SandboxDecision {
  /** A new sandbox is needed (and everything in the old one goes). */
  changed: boolean;
  reason?: SandboxChangeReason;
  /** The attempt of the sandbox to create, or of the current one when unchanged. */
  attempt: number;
  /** The newest sandbox: the one to use, or the one being replaced. */
  sandbox?: ObservedSandbox;
}

/**
 * A new sandbox is needed when there is none, when more than one is ready, when the newest is
 * not ready, when its network namespace mode no longer matches spec.hostNetwork, or when a
 * pod-network sandbox has no IP (CNI did not finish).
 */
export function podSandboxChanged(pod: Pod, observed: ObservedPod): SandboxDecision {
  const sandboxes = sandboxesNewestFirst(observed);
  const newest = sandboxes[0];
  if (newest === undefined) return { changed: true, reason: "no sandbox", attempt: 0 };
  const next = { changed: true, attempt: newest.attempt + 1, sandbox: newest } as const;
  if (sandboxes.filter((s) => s.state === "ready").length > 1) return { ...next, reason: "more than one ready sandbox" };
  if (newest.state !== "ready") return { ...next, reason: "sandbox not ready" };
  const hostNetwork = pod.spec.hostNetwork === true;
  if (newest.hostNetwork !== undefined && newest.hostNetwork !== hostNetwork) {
    return { ...next, reason: "network namespace changed" };
  }
  if (!hostNetwork && !newest.ip) return { ...next, reason: "sandbox has no IP" };
  return { changed: false, attempt: newest.attempt, sandbox: newest };
}
