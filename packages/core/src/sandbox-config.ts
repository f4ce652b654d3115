// The CRI PodSandboxConfig for RunPodSandbox. kubelet: kuberuntime generatePodSandboxConfig
// and generatePodSandboxLinuxConfig (kuberuntime_sandbox.go), kubecontainer.MakePortMappings.
import type { Pod } from "@natslet/contracts";
import type { CriDnsConfig, CriPodSandboxConfig, CriPortMapping } from "./cri-types.js";
import { sandboxAnnotations, sandboxLabels } from "./labels.js";
import { namespaceOptions } from "./namespaces.js";

export const DEFAULT_POD_LOGS_ROOT = "/var/log/pods";
/** A Linux hostname is at most 63 characters. */
const MAX_HOSTNAME_LENGTH = 63;

export interface SandboxConfigOptions {
  attempt: number;
  /** Root of the pod log directories; default /var/log/pods (kubelet --pod-logs-dir). */
  podLogsRoot?: string;
  /** resolv.conf for the sandbox (kubelet: GetPodDNS from dnsPolicy + cluster DNS); the runtime's default if absent. */
  dnsConfig?: CriDnsConfig;
  /** The pod's cgroup; "" lets the runtime choose (natslet does not run the kubelet's pod cgroup tree). */
  cgroupParent?: string;
}

/** `<root>/<namespace>_<name>_<uid>`: where container logs go. kubelet: BuildPodLogsDirectory. */
export function podLogDirectory(pod: Pod, root: string = DEFAULT_POD_LOGS_ROOT): string {
  const { namespace, name, uid } = pod.metadata;
  return `${root.replace(/\/+$/, "")}/${namespace}_${name}_${uid}`;
}

/**
 * The pod's hostname: spec.hostname, else the pod name, cut to 63 characters without a trailing
 * "-" or ".". kubelet: GeneratePodHostNameAndDomain / truncatePodHostnameIfNeeded.
 */
export function podHostname(pod: Pod): string {
  const hostname = pod.spec.hostname || pod.metadata.name;
  if (hostname.length <= MAX_HOSTNAME_LENGTH) return hostname;
  return hostname.slice(0, MAX_HOSTNAME_LENGTH).replace(/[-.]+$/, "");
}

/**
 * Every declared port of every container (the CNI portmap plugin acts on those with a hostPort);
 * a port name used twice in one container counts once. kubelet: MakePortMappings.
 */
export function portMappings(pod: Pod): CriPortMapping[] {
  return pod.spec.containers.flatMap((container) => {
    const names = new Set<string>();
    return (container.ports ?? []).flatMap((p): CriPortMapping[] => {
      const protocol = p.protocol ?? "TCP";
      const family = !p.hostIP ? "any" : p.hostIP.includes(":") ? "v6" : "v4";
      const name = p.name || `${family}-${protocol}-${p.hostIP ?? ""}:${p.containerPort}`;
      if (names.has(name)) return [];
      names.add(name);
      return [
        {
          protocol,
          containerPort: p.containerPort,
          ...(p.hostPort ? { hostPort: p.hostPort } : {}),
          ...(p.hostIP ? { hostIp: p.hostIP } : {}),
        },
      ];
    });
  });
}

export function sandboxConfig(pod: Pod, opts: SandboxConfigOptions): CriPodSandboxConfig {
  return {
    metadata: { name: pod.metadata.name, uid: pod.metadata.uid, namespace: pod.metadata.namespace, attempt: opts.attempt },
    // A host-network sandbox shares the node's UTS namespace: naming it would rename the node.
    hostname: pod.spec.hostNetwork === true ? "" : podHostname(pod),
    logDirectory: podLogDirectory(pod, opts.podLogsRoot),
    ...(opts.dnsConfig ? { dnsConfig: opts.dnsConfig } : {}),
    portMappings: portMappings(pod),
    labels: sandboxLabels(pod),
    annotations: sandboxAnnotations(pod),
    linux: {
      cgroupParent: opts.cgroupParent ?? "",
      securityContext: {
        namespaceOptions: namespaceOptions(pod),
        // The sandbox (pause) process runs under the runtime's default seccomp profile, as the
        // kubelet forces it, so pods may use stricter profiles of their own (kubernetes#84623).
        seccomp: { profileType: "RuntimeDefault" },
      },
    },
  };
}
