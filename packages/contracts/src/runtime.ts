// Commands the runtime-adapter serves (request/reply, queue group): natslet's verbs on pods and
// containers. The runtime-adapter turns them into CRI calls; every command is idempotent, keyed
// by pod UID + sandbox attempt, or pod UID + container name + attempt, so a retry after a timeout
// or a crash finds what the first try made instead of making a second one.
import { observedNodeSchema, observedPodSchema } from "./observed.js";
import { podSchema } from "./pod.js";
import { runtimeImageMethods } from "./runtime-images.js";
import { runtimeNodeApiMethods } from "./runtime-node-api.js";
import { criMountSchema } from "./volumes.js";
import { array, boolean, nonEmptyString, nonNegativeInteger, object, optional, string, type Parsed } from "./schema.js";

const empty = object({});

/** Each method: request schema, reply schema. The subject is natslet.runtime.<node>.rpc.<Method>. */
export const runtimeMethods = {
  /** Image commands for the image-manager (pull with auth, status, list, remove, image fs usage). */
  ...runtimeImageMethods,
  /** Streaming and stats commands for the node-api (exec/attach/port-forward URLs, CRI stats). */
  ...runtimeNodeApiMethods,
  /** Observed state of one pod, read fresh from the CRI. */
  GetPod: { request: object({ uid: nonEmptyString }), reply: observedPodSchema },
  /** Observed state of every pod natslet's labels mark on this node (housekeeping). */
  ListPods: { request: empty, reply: observedNodeSchema },
  /** Creates the pod's sandbox for `attempt`, or returns the one that exists. */
  EnsureSandbox: {
    request: object({ pod: podSchema, attempt: nonNegativeInteger }),
    reply: object({ sandboxId: nonEmptyString, ip: optional(string), created: boolean }),
  },
  /** Creates and starts container `name` at `attempt` in the sandbox, or returns the one that exists. */
  EnsureContainer: {
    request: object({
      pod: podSchema,
      name: nonEmptyString,
      attempt: nonNegativeInteger,
      sandboxId: nonEmptyString,
      podIps: array(string),
      /** Volume mounts the volume-manager prepared for this container (its Setup reply). */
      mounts: optional(array(criMountSchema)),
    }),
    reply: object({ containerId: nonEmptyString, created: boolean }),
  },
  /** Stops a container: SIGTERM (or the image's stop signal), SIGKILL after the grace period. */
  StopContainer: {
    request: object({ containerId: nonEmptyString, gracePeriodSeconds: nonNegativeInteger }),
    reply: empty,
  },
  RemoveContainer: { request: object({ containerId: nonEmptyString }), reply: empty },
  /** Stops every container of the sandbox and the sandbox itself, and releases its network. */
  StopSandbox: { request: object({ sandboxId: nonEmptyString }), reply: empty },
  RemoveSandbox: { request: object({ sandboxId: nonEmptyString }), reply: empty },
  /**
   * The runtime's name, version and CRI Status conditions (RuntimeReady, NetworkReady): what the
   * node-status-manager turns into the Node's Ready condition and containerRuntimeVersion.
   */
  RuntimeStatus: {
    request: empty,
    reply: object({
      runtimeName: string,
      runtimeVersion: string,
      runtimeApiVersion: string,
      conditions: array(object({ type: nonEmptyString, status: boolean, reason: string, message: string })),
    }),
  },
} as const;

export type RuntimeMethod = keyof typeof runtimeMethods;
export type RuntimeRequest<M extends RuntimeMethod> = Parsed<(typeof runtimeMethods)[M]["request"]>;
export type RuntimeReply<M extends RuntimeMethod> = Parsed<(typeof runtimeMethods)[M]["reply"]>;
