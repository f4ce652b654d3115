// Whether a pod update is one the node must act on. Most updates of a running pod are its own
// status coming back through the watch; a sync for each would double the runtime calls.
// kubelet: podsDifferSemantically in pkg/kubelet/config.
import type { Pod } from "@natslet/contracts";

/** True when spec or metadata (other than resourceVersion) differ: labels, annotations, deletion. */
export function desiredPodChanged(before: Pod, after: Pod): boolean {
  return canonical(before) !== canonical(after);
}

function canonical(pod: Pod): string {
  const { resourceVersion: _rv, ...metadata } = pod.metadata;
  return JSON.stringify({ metadata, spec: pod.spec });
}
