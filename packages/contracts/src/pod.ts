// The part of a core/v1 Pod that natslet acts on, as JSON from the API server.
// Fields natslet does not read are dropped at the edge; what it reads is checked here once,
// so the sync-loop's pure logic can trust every field it sees.
import {
  array, boolean, integer, jsonObject, nonEmptyString, nonNegativeInteger, object, oneOf, optional, record,
  string, type Parsed,
} from "./schema.js";

const stringMap = record(string);

export const objectFieldSelectorSchema = object({ fieldPath: nonEmptyString, apiVersion: optional(string) });
export const resourceFieldSelectorSchema = object({
  resource: nonEmptyString,
  containerName: optional(string),
  divisor: optional(string),
});
const keySelector = object({ name: optional(string), key: nonEmptyString, optional: optional(boolean) });

export const envVarSchema = object({
  name: nonEmptyString,
  value: optional(string),
  valueFrom: optional(
    object({
      fieldRef: optional(objectFieldSelectorSchema),
      resourceFieldRef: optional(resourceFieldSelectorSchema),
      configMapKeyRef: optional(keySelector),
      secretKeyRef: optional(keySelector),
    }),
  ),
});

export const containerPortSchema = object({
  containerPort: integer,
  name: optional(string),
  protocol: optional(oneOf("TCP", "UDP", "SCTP")),
  hostPort: optional(integer),
  hostIP: optional(string),
});

/** Quantities stay strings ("100m", "64Mi"); packages/core parses them. */
export const resourcesSchema = object({ requests: optional(stringMap), limits: optional(stringMap) });

export const volumeMountSchema = object({
  name: nonEmptyString,
  mountPath: nonEmptyString,
  readOnly: optional(boolean),
  subPath: optional(string),
  subPathExpr: optional(string),
  mountPropagation: optional(oneOf("None", "HostToContainer", "Bidirectional")),
});

export const containerSchema = object({
  name: nonEmptyString,
  // The API server requires an image; an empty one still reaches the node as a reason, not a crash.
  image: string,
  imagePullPolicy: optional(oneOf("Always", "IfNotPresent", "Never")),
  command: optional(array(string)),
  args: optional(array(string)),
  workingDir: optional(string),
  env: optional(array(envVarSchema)),
  ports: optional(array(containerPortSchema)),
  resources: optional(resourcesSchema),
  volumeMounts: optional(array(volumeMountSchema)),
  terminationMessagePath: optional(string),
  terminationMessagePolicy: optional(oneOf("File", "FallbackToLogsOnError")),
  restartPolicy: optional(oneOf("Always")), // sidecar init containers
  stdin: optional(boolean),
  stdinOnce: optional(boolean),
  tty: optional(boolean),
  securityContext: optional(jsonObject),
  startupProbe: optional(jsonObject),
  livenessProbe: optional(jsonObject),
  readinessProbe: optional(jsonObject),
  lifecycle: optional(jsonObject),
});

export const podSpecSchema = object({
  nodeName: optional(string),
  containers: array(containerSchema),
  initContainers: optional(array(containerSchema)),
  ephemeralContainers: optional(array(jsonObject)),
  restartPolicy: optional(oneOf("Always", "OnFailure", "Never")),
  terminationGracePeriodSeconds: optional(nonNegativeInteger),
  activeDeadlineSeconds: optional(nonNegativeInteger),
  hostNetwork: optional(boolean),
  hostPID: optional(boolean),
  hostIPC: optional(boolean),
  hostname: optional(string),
  subdomain: optional(string),
  dnsPolicy: optional(string),
  serviceAccountName: optional(string),
  securityContext: optional(jsonObject),
  volumes: optional(array(jsonObject)),
  imagePullSecrets: optional(array(object({ name: optional(string) }))),
  priority: optional(integer),
  runtimeClassName: optional(string),
});

export const podMetadataSchema = object({
  uid: nonEmptyString,
  name: nonEmptyString,
  namespace: nonEmptyString,
  resourceVersion: optional(string),
  generation: optional(integer),
  creationTimestamp: optional(string),
  deletionTimestamp: optional(string),
  deletionGracePeriodSeconds: optional(nonNegativeInteger),
  labels: optional(stringMap),
  annotations: optional(stringMap),
});

export const podSchema = object({
  metadata: podMetadataSchema,
  spec: podSpecSchema,
  /** The status the API server holds: read for startTime and what was reported before. */
  status: optional(jsonObject),
});

export type Pod = Parsed<typeof podSchema>;
export type PodSpec = Parsed<typeof podSpecSchema>;
export type PodMetadata = Parsed<typeof podMetadataSchema>;
export type Container = Parsed<typeof containerSchema>;
export type EnvVar = Parsed<typeof envVarSchema>;
export type ContainerPort = Parsed<typeof containerPortSchema>;
export type ResourceRequirements = Parsed<typeof resourcesSchema>;
export type VolumeMount = Parsed<typeof volumeMountSchema>;
