// Pod volumes and the volume-manager's commands (natslet.volume.<node>.rpc.<Method>).
//
// pod.ts keeps `spec.volumes` as raw JSON objects on purpose: a pod with a volume type natslet
// does not support (nfs, csi, ...) must still reach the node and get a clear reason, not be
// dropped by the watcher. The volume-manager parses each volume with `volumeSchema` at its edge.
import { objectFieldSelectorSchema, podSchema, resourceFieldSelectorSchema } from "./pod.js";
import {
  array, boolean, integer, jsonObject, nonEmptyString, object, oneOf, optional, record, string, taggedUnion, ValidationError,
  type Parsed, type Parser,
} from "./schema.js";

/**
 * A pod uid as it names a directory on the node (pods/<uid>): letters, digits and '-' only, so
 * it can never be '.', '..' or contain '/' (a Teardown of "../../.." must not reach the root).
 * API server uids are UUIDs, which fit.
 */
export const podUidSegment: Parser<string> = (input, path) => {
  const s = nonEmptyString(input, path);
  if (!/^[A-Za-z0-9-]{1,128}$/.test(s)) throw new ValidationError(path, `expected a pod uid (letters, digits and '-'), got ${JSON.stringify(s)}`);
  return s;
};

/**
 * A DNS label (RFC 1123: lowercase alphanumerics and '-', at most 63, alphanumeric at both
 * ends): what Kubernetes allows for volume and container names. These name directories on the
 * node (volumes/<plugin>/<name>, volume-subpaths/<volume>/<container>).
 */
export const dnsLabel: Parser<string> = (input, path) => {
  const s = nonEmptyString(input, path);
  if (s.length > 63 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(s)) {
    throw new ValidationError(path, `expected a DNS label (lowercase letters, digits and '-', at most 63), got ${JSON.stringify(s)}`);
  }
  return s;
};

/** keys → paths of a ConfigMap or Secret (core/v1 KeyToPath). */
export const keyToPathSchema = object({ key: nonEmptyString, path: nonEmptyString, mode: optional(integer) });

export const emptyDirSourceSchema = object({ medium: optional(string), sizeLimit: optional(string) });
export const hostPathSourceSchema = object({
  path: nonEmptyString,
  type: optional(oneOf("", "DirectoryOrCreate", "Directory", "FileOrCreate", "File", "Socket", "CharDevice", "BlockDevice")),
});
export const configMapSourceSchema = object({
  name: optional(string),
  items: optional(array(keyToPathSchema)),
  defaultMode: optional(integer),
  optional: optional(boolean),
});
export const secretSourceSchema = object({
  secretName: optional(string),
  items: optional(array(keyToPathSchema)),
  defaultMode: optional(integer),
  optional: optional(boolean),
});
export const downwardApiFileSchema = object({
  path: nonEmptyString,
  fieldRef: optional(objectFieldSelectorSchema),
  resourceFieldRef: optional(resourceFieldSelectorSchema),
  mode: optional(integer),
});
export const downwardApiSourceSchema = object({
  items: optional(array(downwardApiFileSchema)),
  defaultMode: optional(integer),
});
export const serviceAccountTokenProjectionSchema = object({
  audience: optional(string),
  expirationSeconds: optional(integer),
  path: nonEmptyString,
});
export const volumeProjectionSchema = object({
  configMap: optional(object({ name: optional(string), items: optional(array(keyToPathSchema)), optional: optional(boolean) })),
  secret: optional(object({ name: optional(string), items: optional(array(keyToPathSchema)), optional: optional(boolean) })),
  downwardAPI: optional(object({ items: optional(array(downwardApiFileSchema)) })),
  serviceAccountToken: optional(serviceAccountTokenProjectionSchema),
  /** Not supported by natslet: parsed so the pod gets a clear reason. */
  clusterTrustBundle: optional(jsonObject),
});
export const projectedSourceSchema = object({
  sources: optional(array(volumeProjectionSchema)),
  defaultMode: optional(integer),
});

/** One entry of pod.spec.volumes: the sources natslet supports, typed; any other source is kept as JSON. */
export const volumeSchema = object({
  name: dnsLabel,
  emptyDir: optional(emptyDirSourceSchema),
  hostPath: optional(hostPathSourceSchema),
  configMap: optional(configMapSourceSchema),
  secret: optional(secretSourceSchema),
  downwardAPI: optional(downwardApiSourceSchema),
  projected: optional(projectedSourceSchema),
});

export type Volume = Parsed<typeof volumeSchema>;
export type KeyToPath = Parsed<typeof keyToPathSchema>;
export type DownwardApiFile = Parsed<typeof downwardApiFileSchema>;
export type VolumeProjection = Parsed<typeof volumeProjectionSchema>;

/** runtime.v1.Mount as it crosses the bus (packages/core's CriMount). */
export const criMountSchema = object({
  containerPath: nonEmptyString,
  hostPath: nonEmptyString,
  readonly: optional(boolean),
  selinuxRelabel: optional(boolean),
  propagation: optional(oneOf("PROPAGATION_PRIVATE", "PROPAGATION_HOST_TO_CONTAINER", "PROPAGATION_BIDIRECTIONAL")),
});
export type CriMountMessage = Parsed<typeof criMountSchema>;

const setupReplySchema = taggedUnion("kind", {
  /** Every volume is set up: the CRI mounts of each container (and init container) by name. */
  ready: object({ kind: oneOf("ready"), mounts: record(array(criMountSchema)) }),
  /** A volume could not be set up; the pod waits (kubelet: FailedMount), the caller retries. */
  failed: object({
    kind: oneOf("failed"),
    volume: string,
    /** The Event reason: FailedMount, or CreateContainerConfigError for a bad subPath. */
    reason: nonEmptyString,
    /** The kubelet's wording, e.g. `MountVolume.SetUp failed for volume "x" : configmap "y" not found`. */
    message: string,
    /** Whether retrying without a change of the pod can help (a missing ConfigMap may appear). */
    retryable: boolean,
  }),
});
export type VolumeSetupReply = Parsed<typeof setupReplySchema>;

/** Each method: request schema, reply schema. The subject is natslet.volume.<node>.rpc.<Method>. */
export const volumeMethods = {
  /**
   * Sets up every volume of the pod and the subPath binds of its containers; idempotent (an
   * already set-up pod answers quickly). `podIps` feeds subPathExpr's status.podIP variables.
   */
  Setup: {
    request: object({
      pod: podSchema,
      podIps: optional(array(string)),
      /**
       * Containers about to start: only their subPaths are resolved and bound, and only their
       * mounts are returned. The kubelet resolves a subPath when its container starts, so an
       * init container can create what a later container mounts. Absent: every container.
       */
      containers: optional(array(dnsLabel)),
    }),
    reply: setupReplySchema,
  },
  /**
   * Unmounts and removes everything of the pod under the root dir. Refused (Conflict) while the
   * runtime shows something of the pod running, or cannot answer.
   */
  Teardown: { request: object({ uid: podUidSegment }), reply: object({ removed: boolean }) },
} as const;

export type VolumeMethod = keyof typeof volumeMethods;
export type VolumeRequest<M extends VolumeMethod> = Parsed<(typeof volumeMethods)[M]["request"]>;
export type VolumeReply<M extends VolumeMethod> = Parsed<(typeof volumeMethods)[M]["reply"]>;
