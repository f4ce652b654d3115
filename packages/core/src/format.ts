// How the kubelet names a pod in messages and events.
import type { Pod } from "@natslet/contracts";

/** "name_namespace(uid)" — kubelet: pkg/kubelet/util/format.Pod. */
export function formatPod(pod: Pod): string {
  return `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
}
