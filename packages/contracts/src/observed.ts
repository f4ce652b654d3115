// Observed state: what the runtime-adapter sees in the CRI for one pod, rebuilt from the labels
// and annotations natslet puts on every sandbox and container. Times are epoch milliseconds.
import { array, boolean, integer, nonEmptyString, nonNegativeInteger, object, oneOf, optional, record, string, type Parsed } from "./schema.js";

export const observedSandboxSchema = object({
  id: nonEmptyString,
  attempt: nonNegativeInteger,
  state: oneOf("ready", "notready"),
  createdAt: nonNegativeInteger,
  /** Primary pod IP; absent for host-network sandboxes and until networking is up. */
  ip: optional(string),
  additionalIps: optional(array(string)),
  hostNetwork: optional(boolean),
});

export const observedContainerSchema = object({
  id: nonEmptyString,
  name: nonEmptyString,
  sandboxId: string,
  /** CRI metadata.attempt: how many times this container was (re)created before. */
  attempt: nonNegativeInteger,
  state: oneOf("created", "running", "exited", "unknown"),
  createdAt: nonNegativeInteger,
  startedAt: optional(nonNegativeInteger),
  finishedAt: optional(nonNegativeInteger),
  exitCode: optional(integer),
  reason: optional(string),
  message: optional(string),
  /** The image as the pod named it, and the resolved image (digest/ID) the runtime ran. */
  image: string,
  imageRef: string,
  /** Hash of the container spec fields whose change means "restart" (annotation). */
  specHash: string,
  /** The termination message read from terminationMessagePath, or the log tail (FallbackToLogsOnError). */
  terminationMessage: optional(string),
  /** The container's CRI log file (ContainerStatus.log_path): what the node-api serves as logs. */
  logPath: optional(string),
});

export const observedPodSchema = object({
  uid: nonEmptyString,
  name: string,
  namespace: string,
  sandboxes: array(observedSandboxSchema),
  containers: array(observedContainerSchema),
});

/** Every pod the runtime knows of on this node, keyed by pod UID. */
export const observedNodeSchema = object({ pods: record(observedPodSchema), observedAt: nonNegativeInteger });

export type ObservedSandbox = Parsed<typeof observedSandboxSchema>;
export type ObservedContainer = Parsed<typeof observedContainerSchema>;
export type ObservedPod = Parsed<typeof observedPodSchema>;
export type ObservedNode = Parsed<typeof observedNodeSchema>;
