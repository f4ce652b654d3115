// @natslet/kube: natslet's edge to the Kubernetes API server. Objects cross it as raw JSON,
// exactly as the API server wrote them; validating them is the caller's job (packages/contracts).
export { Backoff, RETRY_BACKOFF, type BackoffPolicy } from "./backoff.js";
export { systemClock, type Clock } from "./clock.js";
export { KubeApiError, MalformedResponseError, isResourceExpired } from "./errors.js";
export { httpListerWatcher, podListerWatcher, type CollectionSelector } from "./http-list-watch.js";
export { KubeConfigError, loadKubeConfig, SERVICE_ACCOUNT_DIR, type KubeConfigLocations } from "./kubeconfig.js";
export type { ListerWatcher, RawList, RawObject, WatchEvent, WatchRequest } from "./list-watch.js";
export { Reflector, type ReflectorEvent, type ReflectorHooks, type ReflectorOptions } from "./reflector.js";
export {
  MIN_HEALTHY_WATCH_MS, nextAfterWatch, type ListReason, type NextStep, type WatchEnd, type WatchRun,
} from "./watch-decision.js";
export { KeepAliveKubeConfig } from "./keep-alive.js";
