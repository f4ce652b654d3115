// A container's CPU and memory requests and limits, parsed, with the API server's defaulting
// applied: a request left out where a limit is set defaults to that limit (core/v1 defaults
// SetDefaults_ResourceList for requests). Pods from a real API server already carry it; the
// kubelet repeats it too (calculateLinuxResources), so pods built by hand behave the same.
import type { Container } from "@natslet/contracts";
import { parseQuantity, type Quantity } from "./quantity.js";

/** The two resources the kubelet turns into cgroup settings and QoS. */
export type ComputeResource = "cpu" | "memory";

export interface ContainerResources {
  requests: Partial<Record<ComputeResource, Quantity>>;
  limits: Partial<Record<ComputeResource, Quantity>>;
}

/** Parses requests/limits for cpu and memory; throws QuantityError on a malformed value. */
export function containerResources(container: Container): ContainerResources {
  const out: ContainerResources = { requests: {}, limits: {} };
  for (const resource of ["cpu", "memory"] as const) {
    const limit = container.resources?.limits?.[resource];
    const request = container.resources?.requests?.[resource] ?? limit;
    if (limit !== undefined) out.limits[resource] = parseQuantity(limit);
    if (request !== undefined) out.requests[resource] = parseQuantity(request);
  }
  return out;
}
