// Every NATS subject natslet uses, general first, node name inside (DESIGN.md, "The bus").
// Build subjects only through these functions, so a typo cannot create a silent new subject.
import type { ImageMethod } from "./images.js";
import type { RuntimeMethod } from "./runtime.js";
import type { VolumeMethod } from "./volumes.js";

const ROOT = "natslet";

/** Subject tokens may not contain '.', '*', '>' or whitespace; node names and UIDs never do, but check. */
export function token(value: string, what: string): string {
  if (value === "" || /[.*>\s]/.test(value)) {
    throw new Error(`${what} "${value}" cannot be used in a NATS subject`);
  }
  return value;
}

export const subjects = {
  /** Desired pod state (JetStream, last message per subject kept). */
  pod: (node: string, podUid: string) => `${ROOT}.pod.${token(node, "node name")}.${token(podUid, "pod UID")}`,
  podsOfNode: (node: string) => `${ROOT}.pod.${token(node, "node name")}.*`,
  /** Pod status to write (JetStream, last message per subject kept). */
  podStatus: (node: string, podUid: string) =>
    `${ROOT}.podstatus.${token(node, "node name")}.${token(podUid, "pod UID")}`,
  podStatusesOfNode: (node: string) => `${ROOT}.podstatus.${token(node, "node name")}.*`,
  /** Commands to the runtime-adapter (request/reply). */
  runtimeRpc: (node: string, method: RuntimeMethod) => `${ROOT}.runtime.${token(node, "node name")}.rpc.${method}`,
  runtimeRpcAll: (node: string) => `${ROOT}.runtime.${token(node, "node name")}.rpc.*`,
  /** Commands to the image-manager (request/reply). */
  imageRpc: (node: string, method: ImageMethod) => `${ROOT}.image.${token(node, "node name")}.rpc.${method}`,
  /** Commands to the volume-manager (request/reply, node-local). */
  volumeRpc: (node: string, method: VolumeMethod) => `${ROOT}.volume.${token(node, "node name")}.rpc.${method}`,
  /** Container lifecycle events from the PLEG relist (core NATS, level-triggered resync covers loss). */
  runtimeEvents: (node: string) => `${ROOT}.runtime.${token(node, "node name")}.event`,
  /**
   * Pods a manager wants evicted (core NATS; the volume-manager for an emptyDir over its
   * sizeLimit). Level-triggered: repeated while the cause lasts, so a lost one is sent again.
   */
  evictions: (node: string) => `${ROOT}.evict.${token(node, "node name")}`,
  /** Kubernetes Events to record for objects on this node. */
  events: (node: string) => `${ROOT}.event.${token(node, "node name")}`,
} as const;

/** JetStream streams and the subjects they hold. */
export const streams = {
  pods: { name: "NATSLET_PODS", subjects: [`${ROOT}.pod.>`] },
  podStatus: { name: "NATSLET_PODSTATUS", subjects: [`${ROOT}.podstatus.>`] },
} as const;

/** Queue groups: replicas of one service share the work. */
export const queues = {
  runtimeAdapter: "runtime-adapter",
  statusManager: "status-manager",
  imageManager: "image-manager",
  volumeManager: "volume-manager",
} as const;

/** The last token of a pod or pod-status subject: the pod UID. */
export function podUidOf(subject: string): string {
  const uid = subject.slice(subject.lastIndexOf(".") + 1);
  if (!uid) throw new Error(`no pod UID in subject "${subject}"`);
  return uid;
}
