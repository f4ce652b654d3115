// CRI objects → natslet's observed state, pure. The labels and annotations natslet put on each
// sandbox and container (core: labels.ts) say which pod and container spec it belongs to, so
// the observed state can be rebuilt from the runtime alone after any restart.
import type { ObservedContainer, ObservedPod, ObservedSandbox } from "@natslet/contracts";
import { labelKeys, MANAGED_VALUE } from "@natslet/core";
import type { Container, ContainerState, ContainerStatus, PodSandboxStatus } from "@natslet/cri";

/**
 * The image as the pod spec wrote it. CreateContainer gets the resolved image ID, and
 * containerd 1.6 does not echo ImageSpec.userSpecifiedImage back, so natslet keeps the pod's
 * text in an annotation of its own.
 */
export const IMAGE_ANNOTATION = "natslet.io/image";

/** Label selector for everything natslet created on this runtime (and nothing else). */
export function managedSelector(podUid?: string): Record<string, string> {
  return { [labelKeys.managed]: MANAGED_VALUE, ...(podUid === undefined ? {} : { [labelKeys.podUid]: podUid }) };
}

export interface PodIdentity {
  uid: string;
  name: string;
  namespace: string;
}

/** The pod a sandbox or container belongs to, from its labels; undefined if not natslet's. */
export function podIdentity(labels: Readonly<Record<string, string>>): PodIdentity | undefined {
  const uid = labels[labelKeys.podUid] ?? "";
  if (labels[labelKeys.managed] !== MANAGED_VALUE || uid === "") return undefined;
  return { uid, name: labels[labelKeys.podName] ?? "", namespace: labels[labelKeys.podNamespace] ?? "" };
}

/** CRI times are int64 nanoseconds as decimal strings; natslet's are epoch milliseconds. */
export function nsToMs(ns: string): number {
  if (!/^\d+$/.test(ns)) return 0;
  return Number(BigInt(ns) / 1_000_000n);
}

/** A sandbox from its PodSandboxStatus: ListPodSandbox carries no IPs, only the status does. */
export function observedSandbox(status: PodSandboxStatus): ObservedSandbox {
  const ip = status.network?.ip ?? "";
  const additionalIps = (status.network?.additionalIps ?? []).map((p) => p.ip).filter((a) => a !== "");
  const network = status.linux?.namespaces?.options?.network;
  return {
    id: status.id,
    attempt: status.metadata?.attempt ?? 0,
    state: status.state === "SANDBOX_READY" ? "ready" : "notready",
    createdAt: nsToMs(status.createdAt),
    ...(ip !== "" ? { ip } : {}),
    ...(additionalIps.length > 0 ? { additionalIps } : {}),
    // Only when the runtime reports namespaces: "unknown" must not read as "pod network".
    ...(network !== undefined ? { hostNetwork: network === "NODE" } : {}),
  };
}

const STATES: Record<ContainerState, ObservedContainer["state"]> = {
  CONTAINER_CREATED: "created",
  CONTAINER_RUNNING: "running",
  CONTAINER_EXITED: "exited",
  CONTAINER_UNKNOWN: "unknown",
};

/**
 * A container from its list entry (for the sandbox ID, which ContainerStatus lacks) and its
 * ContainerStatus (times, exit, reason). undefined when it has no name to go by.
 */
export function observedContainer(item: Container, status: ContainerStatus, terminationMessage?: string): ObservedContainer | undefined {
  const name = status.metadata?.name || item.labels[labelKeys.containerName] || "";
  if (name === "") return undefined;
  const state = STATES[status.state];
  const startedAt = nsToMs(status.startedAt);
  const finishedAt = nsToMs(status.finishedAt);
  const annotations = { ...item.annotations, ...status.annotations };
  return {
    id: status.id,
    name,
    sandboxId: item.podSandboxId,
    attempt: status.metadata?.attempt ?? item.metadata?.attempt ?? 0,
    state,
    createdAt: nsToMs(status.createdAt),
    ...(startedAt > 0 ? { startedAt } : {}),
    ...(finishedAt > 0 ? { finishedAt } : {}),
    ...(state === "exited" ? { exitCode: status.exitCode } : {}),
    ...(status.reason !== "" ? { reason: status.reason } : {}),
    ...(status.message !== "" ? { message: status.message } : {}),
    image: annotations[IMAGE_ANNOTATION] || status.image?.userSpecifiedImage || status.image?.image || "",
    imageRef: status.imageRef,
    specHash: annotations[labelKeys.containerHash] ?? "",
    ...(terminationMessage !== undefined ? { terminationMessage } : {}),
    ...(status.logPath !== "" ? { logPath: status.logPath } : {}),
  };
}

/** Observed sandboxes and containers with the labels they were listed with. */
export interface Labelled<T> {
  labels: Readonly<Record<string, string>>;
  observed: T;
}

/**
 * Groups sandboxes and containers into pods by the pod UID label. A pod whose sandboxes are all
 * gone still shows up through its containers. Lists are sorted oldest first, so two relists of
 * the same runtime state give equal values.
 */
export function groupPods(
  sandboxes: readonly Labelled<ObservedSandbox>[],
  containers: readonly Labelled<ObservedContainer>[],
): Record<string, ObservedPod> {
  const pods: Record<string, ObservedPod> = {};
  const podOf = (labels: Readonly<Record<string, string>>): ObservedPod | undefined => {
    const id = podIdentity(labels);
    if (id === undefined) return undefined;
    const pod = (pods[id.uid] ??= { ...id, sandboxes: [], containers: [] });
    // A sandbox's labels are the authority on name and namespace; a container's fill gaps.
    if (pod.name === "") pod.name = id.name;
    if (pod.namespace === "") pod.namespace = id.namespace;
    return pod;
  };
  for (const s of sandboxes) podOf(s.labels)?.sandboxes.push(s.observed);
  for (const c of containers) podOf(c.labels)?.containers.push(c.observed);
  for (const pod of Object.values(pods)) {
    pod.sandboxes.sort(oldestFirst);
    pod.containers.sort(oldestFirst);
  }
  return pods;
}

/** A pod the runtime has nothing of. */
export function emptyPod(uid: string): ObservedPod {
  return { uid, name: "", namespace: "", sandboxes: [], containers: [] };
}

function oldestFirst(a: { createdAt: number; id: string }, b: { createdAt: number; id: string }): number {
  return a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
