// The labels and annotations the kubelet puts on CRI sandboxes and containers. They are how
// natslet rebuilds its observed state from the runtime alone after any restart (DESIGN: State and
// recovery), and they keep crictl/containerd tooling that knows the kubelet's keys working.
// kubelet: pkg/kubelet/kuberuntime/labels.go and pkg/kubelet/types/labels.go.
import type { Container, Pod } from "@natslet/contracts";
import { containerSpecHash } from "./hash.js";

/** Label and annotation keys (kubelet: types.KubernetesPodNameLabel, kuberuntime containerHashLabel, ...). */
export const keys = {
  podName: "io.kubernetes.pod.name",
  podNamespace: "io.kubernetes.pod.namespace",
  podUid: "io.kubernetes.pod.uid",
  containerName: "io.kubernetes.container.name",
  containerHash: "io.kubernetes.container.hash",
  containerRestartCount: "io.kubernetes.container.restartCount",
  terminationMessagePath: "io.kubernetes.container.terminationMessagePath",
  terminationMessagePolicy: "io.kubernetes.container.terminationMessagePolicy",
  podDeletionGracePeriod: "io.kubernetes.pod.deletionGracePeriod",
  podTerminationGracePeriod: "io.kubernetes.pod.terminationGracePeriod",
  containerPorts: "io.kubernetes.container.ports",
  /** natslet's own marker: what it lists on the runtime, so it never touches another agent's pods. */
  managed: "natslet.io/managed",
} as const;

export const MANAGED_VALUE = "true";

/** The API server's defaults, for pods that reach us without them (tests, older senders). */
const DEFAULT_TERMINATION_MESSAGE_PATH = "/dev/termination-log";
const DEFAULT_TERMINATION_MESSAGE_POLICY = "File";

/**
 * Sandbox labels: the pod's own labels, then the identifying keys, which win over a pod label of
 * the same name. kubelet: newPodLabels.
 */
export function sandboxLabels(pod: Pod): Record<string, string> {
  return {
    ...pod.metadata.labels,
    [keys.podName]: pod.metadata.name,
    [keys.podNamespace]: pod.metadata.namespace,
    [keys.podUid]: pod.metadata.uid,
    [keys.managed]: MANAGED_VALUE,
  };
}

/** Sandbox annotations: the pod's annotations as they are. kubelet: newPodAnnotations. */
export function sandboxAnnotations(pod: Pod): Record<string, string> {
  return { ...pod.metadata.annotations };
}

/** Container labels: identity only, no pod labels. kubelet: newContainerLabels. */
export function containerLabels(pod: Pod, container: Container): Record<string, string> {
  return {
    [keys.containerName]: container.name,
    [keys.podName]: pod.metadata.name,
    [keys.podNamespace]: pod.metadata.namespace,
    [keys.podUid]: pod.metadata.uid,
    [keys.managed]: MANAGED_VALUE,
  };
}

/**
 * Container annotations: what a later sync needs to judge the container without the pod at
 * hand (spec hash, restart count, where its termination message is). kubelet: newContainerAnnotations.
 */
export function containerAnnotations(pod: Pod, container: Container, attempt: number): Record<string, string> {
  const annotations: Record<string, string> = {
    [keys.containerHash]: containerSpecHash(container),
    [keys.containerRestartCount]: String(attempt),
    [keys.terminationMessagePath]: container.terminationMessagePath ?? DEFAULT_TERMINATION_MESSAGE_PATH,
    [keys.terminationMessagePolicy]: container.terminationMessagePolicy ?? DEFAULT_TERMINATION_MESSAGE_POLICY,
  };
  if (pod.metadata.deletionGracePeriodSeconds !== undefined) {
    annotations[keys.podDeletionGracePeriod] = String(pod.metadata.deletionGracePeriodSeconds);
  }
  if (pod.spec.terminationGracePeriodSeconds !== undefined) {
    annotations[keys.podTerminationGracePeriod] = String(pod.spec.terminationGracePeriodSeconds);
  }
  if (container.ports !== undefined && container.ports.length > 0) {
    annotations[keys.containerPorts] = containerPortsJson(container);
  }
  return annotations;
}

/**
 * The ports as Go's json.Marshal([]v1.ContainerPort) writes them — same field order, empty
 * optional fields left out — so the annotation reads the same as one the kubelet wrote.
 */
function containerPortsJson(container: Container): string {
  const ports = (container.ports ?? []).map((p) => {
    const out: Record<string, string | number> = {};
    if (p.name) out["name"] = p.name;
    if (p.hostPort) out["hostPort"] = p.hostPort;
    out["containerPort"] = p.containerPort;
    out["protocol"] = p.protocol ?? "TCP";
    if (p.hostIP) out["hostIP"] = p.hostIP;
    return out;
  });
  return JSON.stringify(ports);
}
