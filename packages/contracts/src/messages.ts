// Messages on the pod, pod-status, event and runtime-event subjects.
import { podSchema } from "./pod.js";
import {
  boolean, integer, jsonObject, nonEmptyString, nonNegativeInteger, object, oneOf, optional, string, taggedUnion,
  type Parsed,
} from "./schema.js";

/** natslet.pod.<node>.<uid>: the desired state of a pod, or its tombstone once the API server dropped it. */
export const podMessageSchema = taggedUnion("kind", {
  upsert: object({ kind: oneOf("upsert"), pod: podSchema }),
  deleted: object({ kind: oneOf("deleted"), uid: nonEmptyString, namespace: nonEmptyString, name: nonEmptyString }),
});
export type PodMessage = Parsed<typeof podMessageSchema>;

/**
 * natslet.podstatus.<node>.<uid>: the status to write. `version` grows with every status the
 * sync-loop computes for the pod, so the status-manager can drop a stale one (kubelet's
 * versionedPodStatus). `deletePod` asks for the final delete (grace 0) after termination.
 */
export const podStatusMessageSchema = object({
  uid: nonEmptyString,
  namespace: nonEmptyString,
  name: nonEmptyString,
  version: nonNegativeInteger,
  status: jsonObject,
  deletePod: optional(boolean),
});
export type PodStatusMessage = Parsed<typeof podStatusMessageSchema>;

/** natslet.event.<node>: a Kubernetes Event about a pod (or the node). */
export const eventMessageSchema = object({
  type: oneOf("Normal", "Warning"),
  reason: nonEmptyString,
  message: string,
  involved: object({
    kind: oneOf("Pod", "Node"),
    namespace: string,
    name: nonEmptyString,
    uid: string,
    fieldPath: optional(string),
  }),
});
export type EventMessage = Parsed<typeof eventMessageSchema>;

/** A pod to evict (kubelet: the eviction manager's evictPod): killed, then Failed with reason Evicted. */
export const evictionMessageSchema = object({
  uid: nonEmptyString,
  /** Shown as the pod's status.message and in the Evicted Event, e.g. `Usage of EmptyDir volume "x" exceeds the limit "1Mi". `. */
  message: nonEmptyString,
});
export type EvictionMessage = Parsed<typeof evictionMessageSchema>;

/** natslet.runtime.<node>.event: what a PLEG relist saw change. */
export const runtimeEventSchema = object({
  type: oneOf("ContainerStarted", "ContainerDied", "ContainerRemoved", "ContainerChanged", "SandboxChanged"),
  podUid: nonEmptyString,
  id: nonEmptyString,
  exitCode: optional(integer),
  at: nonNegativeInteger,
});
export type RuntimeEvent = Parsed<typeof runtimeEventSchema>;
