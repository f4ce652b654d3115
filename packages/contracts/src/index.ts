// @natslet/contracts: the bus contract. Subjects, streams, queue groups and a validating
// parser for every message; services decode with these at the edge and nowhere else.
export * as schema from "./schema.js";
export { decode, ValidationError, type Parser } from "./schema.js";
export { subjects, streams, queues, podUidOf, token } from "./subjects.js";
export {
  podSchema, type Container, type ContainerPort, type EnvVar, type Pod, type PodMetadata, type PodSpec,
  type ResourceRequirements, type VolumeMount,
} from "./pod.js";
export {
  observedContainerSchema, observedNodeSchema, observedPodSchema, observedSandboxSchema,
  type ObservedContainer, type ObservedNode, type ObservedPod, type ObservedSandbox,
} from "./observed.js";
export { runtimeMethods, type RuntimeMethod, type RuntimeReply, type RuntimeRequest } from "./runtime.js";
export {
  imageAuthSchema, runtimeImageMethods, runtimeImageSchema, type ImageAuth, type RuntimeImage,
} from "./runtime-images.js";
export {
  IMAGE_WAITING_REASONS, PULL_POLICIES, ensureImageReplySchema, ensureImageRequest, imageMethods,
  type EnsureImageReply, type ImageMethod, type ImageReply, type ImageRequest, type ImageWaitingReason, type PullPolicy,
} from "./images.js";
export {
  runtimeNodeApiMethods, type ContainerStatsEntry, type PodSandboxStatsEntry, type ResourceUsage,
} from "./runtime-node-api.js";
export {
  eventMessageSchema, evictionMessageSchema, podMessageSchema, podStatusMessageSchema, runtimeEventSchema,
  type EventMessage, type EvictionMessage, type PodMessage, type PodStatusMessage, type RuntimeEvent,
} from "./messages.js";
export {
  criMountSchema, volumeMethods, volumeSchema, type CriMountMessage, type DownwardApiFile, type KeyToPath, type Volume,
  type VolumeMethod, type VolumeProjection, type VolumeReply, type VolumeRequest, type VolumeSetupReply,
} from "./volumes.js";
export { ERROR_CODES, NatsletError, hasErrorCode, isErrorCode, isRetryable, type ErrorCode } from "./errors.js";
