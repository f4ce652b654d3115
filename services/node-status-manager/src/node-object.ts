// The Node as natslet registers it and the status it posts (kubelet: kubelet_node_status.go
// initialNode and the nodestatus setters). Pure: settings and readings in, API objects out.
import type { ResourceList } from "./capacity.js";
import type { NodeCondition } from "./conditions.js";
import type { MachineInfo } from "./machine.js";
import type { Taint } from "./node-config.js";

/** The one place natslet's reported kubelet version lives (tools/testenv/versions.env pins 1.35). */
export const KUBELET_VERSION = "v1.35.4-natslet";

export interface NodeIdentity {
  name: string;
  labels: Record<string, string>;
  taints: Taint[];
  nodeIp: string;
  apiPort: number;
}

export function nodeLabels(name: string, architecture: string, extra: Record<string, string>): Record<string, string> {
  return {
    ...extra,
    // The well-known labels win over configured ones: the scheduler and DaemonSets rely on them.
    "kubernetes.io/hostname": name,
    "kubernetes.io/os": "linux",
    "kubernetes.io/arch": architecture,
  };
}

/** The Node object a first registration creates. */
export function initialNode(id: NodeIdentity): { metadata: Record<string, unknown>; spec: Record<string, unknown> } {
  return {
    metadata: {
      name: id.name,
      labels: id.labels,
      // As the kubelet: volumes are attached by the controller-manager, not by the node.
      annotations: { "volumes.kubernetes.io/controller-managed-attach-detach": "true" },
    },
    spec: id.taints.length > 0 ? { taints: id.taints } : {},
  };
}

/** Configured taints the node lacks, appended to what it has (taints of controllers stay). */
export function mergeTaints(existing: readonly Taint[], wanted: readonly Taint[]): Taint[] | undefined {
  const missing = wanted.filter((w) => !existing.some((e) => e.key === w.key && e.effect === w.effect && (e.value ?? "") === (w.value ?? "")));
  return missing.length === 0 ? undefined : [...existing.filter((e) => !missing.some((m) => m.key === e.key && m.effect === e.effect)), ...missing];
}

/** Labels to set on an adopted node: only those that differ. */
export function labelPatch(existing: Readonly<Record<string, string>>, wanted: Readonly<Record<string, string>>): Record<string, string> | undefined {
  const patch = Object.fromEntries(Object.entries(wanted).filter(([k, v]) => existing[k] !== v));
  return Object.keys(patch).length === 0 ? undefined : patch;
}

export interface NodeStatus {
  capacity: ResourceList;
  allocatable: ResourceList;
  conditions: NodeCondition[];
  addresses: { type: "InternalIP" | "Hostname"; address: string }[];
  daemonEndpoints: { kubeletEndpoint: { Port: number } };
  nodeInfo: Record<string, string>;
}

export function nodeStatus(
  id: NodeIdentity,
  machine: MachineInfo,
  resources: { capacity: ResourceList; allocatable: ResourceList },
  conditions: NodeCondition[],
  runtimeVersion: string | undefined,
): NodeStatus {
  return {
    ...resources,
    conditions,
    addresses: [
      { type: "InternalIP", address: id.nodeIp },
      { type: "Hostname", address: id.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: id.apiPort } },
    nodeInfo: {
      machineID: machine.machineID,
      systemUUID: machine.systemUUID,
      bootID: machine.bootID,
      kernelVersion: machine.kernelVersion,
      osImage: machine.osImage,
      // Unknown until the runtime first answers; then kept while it is down (see status-loop).
      containerRuntimeVersion: runtimeVersion === undefined ? "" : `containerd://${runtimeVersion}`,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: "",
      operatingSystem: machine.operatingSystem,
      architecture: machine.architecture,
    },
  };
}

/** The status without heartbeat times: two equal digests need no early post. */
export function statusDigest(status: NodeStatus): string {
  return JSON.stringify({ ...status, conditions: status.conditions.map(({ lastHeartbeatTime: _h, ...rest }) => rest) });
}
