// The pod's QoS class, which decides its OOM score and (in the kubelet) its cgroup tier.
// kubelet: pkg/apis/core/v1/helper/qos.ComputePodQOS.
import type { Pod } from "@natslet/contracts";
import { containerResources, type ComputeResource } from "./container-resources.js";
import { addQuantities, compareQuantities, ZERO, type Quantity } from "./quantity.js";

export type QosClass = "Guaranteed" | "Burstable" | "BestEffort";

/**
 * - BestEffort: no container (init containers included) sets a cpu or memory request or limit.
 * - Guaranteed: every container sets both cpu and memory limits, and the pod's summed requests
 *   equal its summed limits per resource (requests default to limits, see container-resources).
 * - Burstable: everything else.
 * Zero quantities count as unset, as upstream; ephemeral containers cannot set resources.
 */
export function qosClass(pod: Pod): QosClass {
  const requests = new Map<ComputeResource, Quantity>();
  const limits = new Map<ComputeResource, Quantity>();
  let guaranteed = true;
  for (const container of [...pod.spec.containers, ...(pod.spec.initContainers ?? [])]) {
    const { requests: req, limits: lim } = containerResources(container);
    for (const [name, q] of entries(req)) addPositive(requests, name, q);
    let limitsFound = 0;
    for (const [name, q] of entries(lim)) if (addPositive(limits, name, q)) limitsFound++;
    if (limitsFound < 2) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return "BestEffort";
  if (guaranteed && requests.size === limits.size) {
    for (const [name, req] of requests) {
      const lim = limits.get(name);
      if (lim === undefined || compareQuantities(lim, req) !== 0) return "Burstable";
    }
    return "Guaranteed";
  }
  return "Burstable";
}

function entries(r: Partial<Record<ComputeResource, Quantity>>): [ComputeResource, Quantity][] {
  return (["cpu", "memory"] as const).flatMap((name) => {
    const q = r[name];
    return q === undefined ? [] : [[name, q] as [ComputeResource, Quantity]];
  });
}

function addPositive(sums: Map<ComputeResource, Quantity>, name: ComputeResource, q: Quantity): boolean {
  if (compareQuantities(q, ZERO) <= 0) return false;
  sums.set(name, addQuantities(sums.get(name) ?? ZERO, q));
  return true;
}
