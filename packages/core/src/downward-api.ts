// Values of the downward API for environment variables: fieldRef (pod metadata, spec, status)
// and resourceFieldRef (the container's requests and limits). kubelet: podFieldSelectorRuntimeValue,
// fieldpath.ExtractFieldPathAsString, resource.ExtractContainerResourceValue.
import type { Container, Pod } from "@natslet/contracts";
import { containerResources } from "./container-resources.js";
import { milliValue, parseQuantity, value, type Quantity } from "./quantity.js";

/** What the node knows that the pod object does not (yet) say. */
export interface DownwardContext {
  /** The pod's IPs, primary first (for a host-network pod: the node's). */
  podIps: readonly string[];
  hostIp: string;
  /** All node IPs, primary first; default [hostIp]. */
  hostIps?: readonly string[];
  /** Used when the pod's spec.nodeName is empty. */
  nodeName: string;
  /** Used when the pod's spec.serviceAccountName is empty. */
  serviceAccountName?: string;
  /** Node allocatable: what limits.* read as when the container sets no limit. */
  allocatable?: { cpuMillis: number; memoryBytes: number };
}

/** A downward API reference that cannot be resolved; the message is the kubelet's wording. */
export class DownwardApiError extends Error {
  override readonly name = "DownwardApiError";
}

const SUBSCRIPTED = /^metadata\.(labels|annotations)\['(.*)'\]$/;

/** The value of a fieldRef path, e.g. "metadata.labels['app']" or "status.podIP". */
export function fieldRefValue(fieldPath: string, pod: Pod, ctx: DownwardContext): string {
  switch (fieldPath) {
    case "metadata.name":
      return pod.metadata.name;
    case "metadata.namespace":
      return pod.metadata.namespace;
    case "metadata.uid":
      return pod.metadata.uid;
    case "spec.nodeName":
      return pod.spec.nodeName || ctx.nodeName;
    case "spec.serviceAccountName":
      return pod.spec.serviceAccountName || (ctx.serviceAccountName ?? "");
    case "status.hostIP":
      return ctx.hostIps?.[0] ?? ctx.hostIp;
    case "status.hostIPs":
      return (ctx.hostIps ?? [ctx.hostIp]).join(",");
    case "status.podIP":
      return ctx.podIps[0] ?? "";
    case "status.podIPs":
      return ctx.podIps.join(",");
  }
  const m = SUBSCRIPTED.exec(fieldPath);
  if (m) {
    const map = m[1] === "labels" ? pod.metadata.labels : pod.metadata.annotations;
    // A missing key reads as "", like a missing key in a Go map.
    return map?.[m[2] ?? ""] ?? "";
  }
  throw new DownwardApiError(`unsupported fieldPath: ${fieldPath}`);
}

/**
 * The value of a resourceFieldRef ("limits.memory" with divisor "1Mi"): the quantity divided by
 * the divisor, rounded up. Limits the container leaves unset read as node allocatable.
 */
export function resourceFieldRefValue(
  ref: { resource: string; containerName?: string; divisor?: string },
  pod: Pod,
  container: Container,
  ctx: DownwardContext,
): string {
  const target = ref.containerName
    ? [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((c) => c.name === ref.containerName)
    : container;
  if (target === undefined) throw new DownwardApiError(`container ${ref.containerName ?? ""} not found in pod`);
  const divisor = ref.divisor === undefined || ref.divisor === "" ? undefined : parseQuantity(ref.divisor);
  const { requests, limits } = containerResources(target);
  const zero = parseQuantity("0");

  switch (ref.resource) {
    case "limits.cpu":
      return cpuString(limits.cpu ?? allocatable(ctx, "cpu"), divisor);
    case "limits.memory":
      return bytesString(limits.memory ?? allocatable(ctx, "memory"), divisor);
    case "requests.cpu":
      return cpuString(requests.cpu ?? zero, divisor);
    case "requests.memory":
      return bytesString(requests.memory ?? zero, divisor);
  }
  throw new DownwardApiError(`unsupported container resource : ${ref.resource}`);
}

function allocatable(ctx: DownwardContext, resource: "cpu" | "memory"): Quantity {
  if (ctx.allocatable === undefined) {
    throw new DownwardApiError(`limits.${resource} is not set and node allocatable is unknown`);
  }
  return resource === "cpu"
    ? parseQuantity(`${ctx.allocatable.cpuMillis}m`)
    : parseQuantity(String(ctx.allocatable.memoryBytes));
}

/** ceil(milli / divisorMilli), divisor default "1" (kubelet: convertResourceCPUToString). */
function cpuString(q: Quantity, divisor: Quantity | undefined): string {
  const d = divisor === undefined ? 1000 : milliValue(divisor);
  if (d <= 0) throw new DownwardApiError(`invalid divisor for cpu`);
  return String(Math.ceil(milliValue(q) / d));
}

/** ceil(bytes / divisorBytes), divisor default "1" (kubelet: convertResourceMemoryToString). */
function bytesString(q: Quantity, divisor: Quantity | undefined): string {
  const d = divisor === undefined ? 1 : value(divisor);
  if (d <= 0) throw new DownwardApiError(`invalid divisor for memory`);
  return String(Math.ceil(value(q) / d));
}
