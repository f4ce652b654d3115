// @natslet/bus: how natslet services use NATS. The edge is owned here: connect with the right
// reconnect settings, carry W3C trace context in headers, validate every incoming message.
export { connectBus, type BusOptions } from "./connect.js";
export { decodeJson, encodeJson } from "./codec.js";
export { ERROR_CODE_HEADER, ERROR_HEADER, errorCodeOf, request, serve, type RequestOptions, type ServeOptions } from "./rpc.js";
export {
  ensureStreams, publishLatest, watchLatest, withEntryContext,
  type LatestEntry, type LatestWatch, type PublishOptions,
} from "./streams.js";
export { headersWithTrace, traceContextOf } from "./trace-headers.js";
export { trackNatsConnection } from "./health.js";
export { EventPublisher, type PodRef } from "./events.js";
export { countDeadLetter } from "./metrics.js";
export { RUNTIME_TIMEOUT_MS, RuntimeClient, type Runtime } from "./runtime-client.js";
export { isKvConflict, isLiveEntry } from "./kv.js";
export { rendezvousOwner } from "./rendezvous.js";
export { LOCK_RETRY_MS, Replicas, type KeyLock, type ReplicaLog, type ReplicasOptions } from "./replicas.js";
