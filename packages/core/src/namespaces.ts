// Which Linux namespaces a pod's sandbox and containers get. kubelet: kuberuntime
// namespacesForPod (util.NamespacesForPod) and its network/pid/ipc helpers.
import type { Pod } from "@natslet/contracts";
import type { CriNamespaceOption } from "./cri-types.js";

/**
 * network/ipc: the node's with hostNetwork/hostIPC, else the pod's own. pid: the node's with
 * hostPID, else each container its own (CONTAINER) — the v1 default, since natslet does not
 * implement shareProcessNamespace.
 */
export function namespaceOptions(pod: Pod): CriNamespaceOption {
  return {
    network: pod.spec.hostNetwork === true ? "NODE" : "POD",
    pid: pod.spec.hostPID === true ? "NODE" : "CONTAINER",
    ipc: pod.spec.hostIPC === true ? "NODE" : "POD",
  };
}
