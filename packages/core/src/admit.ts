// Pod features natslet does not implement. The kubelet refuses pods it cannot run at admission
// (the pod fails with a reason) instead of running them half right; natslet does the same.
import type { Pod } from "@natslet/contracts";

export interface Unsupported {
  reason: "UnsupportedPodSpec";
  message: string;
}

/** Why natslet cannot run this pod, or undefined when it can. */
export function unsupportedFeatures(pod: Pod): Unsupported | undefined {
  const sidecars = (pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === "Always").map((c) => c.name);
  if (sidecars.length > 0) {
    return {
      reason: "UnsupportedPodSpec",
      message: `restartable init containers (sidecars) are not supported by natslet: ${sidecars.join(", ")}`,
    };
  }
  return undefined;
}
