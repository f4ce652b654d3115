// The CRI runtime.v1 request shapes core builds, as @grpc/proto-loader takes them (keepCase: false,
// so proto field `log_directory` is `logDirectory`; enums by name). Only the fields natslet sets.
// Core defines them itself instead of importing @natslet/cri so that it stays free of I/O
// dependencies; every shape here is structurally assignable to the full one in packages/cri.

/** runtime.v1.NamespaceMode */
export type CriNamespaceMode = "POD" | "CONTAINER" | "NODE" | "TARGET";
/** runtime.v1.Protocol */
export type CriProtocol = "TCP" | "UDP" | "SCTP";
/** runtime.v1.MountPropagation */
export type CriMountPropagation = "PROPAGATION_PRIVATE" | "PROPAGATION_HOST_TO_CONTAINER" | "PROPAGATION_BIDIRECTIONAL";

/** runtime.v1.KeyValue (a container environment variable). */
export interface CriKeyValue {
  key: string;
  value: string;
}

/** runtime.v1.NamespaceOption */
export interface CriNamespaceOption {
  network: CriNamespaceMode;
  pid: CriNamespaceMode;
  ipc: CriNamespaceMode;
}

/** runtime.v1.DNSConfig */
export interface CriDnsConfig {
  servers: string[];
  searches: string[];
  options: string[];
}

/** runtime.v1.PortMapping */
export interface CriPortMapping {
  protocol: CriProtocol;
  containerPort: number;
  hostPort?: number;
  hostIp?: string;
}

/** runtime.v1.SecurityProfile (only the runtime default is used). */
export interface CriSecurityProfile {
  profileType: "RuntimeDefault" | "Unconfined" | "Localhost";
  localhostRef?: string;
}

/** runtime.v1.PodSandboxConfig */
export interface CriPodSandboxConfig {
  metadata: { name: string; uid: string; namespace: string; attempt: number };
  /** Empty for a host-network sandbox: it has no UTS namespace of its own to name. */
  hostname: string;
  logDirectory: string;
  dnsConfig?: CriDnsConfig;
  portMappings: CriPortMapping[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  linux: {
    cgroupParent: string;
    securityContext: { namespaceOptions: CriNamespaceOption; seccomp: CriSecurityProfile };
  };
}

/** runtime.v1.LinuxContainerResources */
export interface CriLinuxContainerResources {
  cpuPeriod: number;
  cpuQuota: number;
  cpuShares: number;
  memoryLimitInBytes: number;
  oomScoreAdj: number;
  /** cgroup v2 files, e.g. {"memory.oom.group": "1"}. */
  unified?: Record<string, string>;
}

/** runtime.v1.Mount */
export interface CriMount {
  containerPath: string;
  hostPath: string;
  readonly?: boolean;
  selinuxRelabel?: boolean;
  propagation?: CriMountPropagation;
}

/** runtime.v1.ContainerConfig */
export interface CriContainerConfig {
  metadata: { name: string; attempt: number };
  /** `image` is the resolved reference the image-manager returned; `userSpecifiedImage` the pod's text. */
  image: { image: string; userSpecifiedImage: string };
  command: string[];
  args: string[];
  workingDir: string;
  envs: CriKeyValue[];
  mounts: CriMount[];
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Relative to the sandbox's logDirectory: `<container>/<attempt>.log`. */
  logPath: string;
  stdin: boolean;
  stdinOnce: boolean;
  tty: boolean;
  linux: {
    resources: CriLinuxContainerResources;
    securityContext: { namespaceOptions: CriNamespaceOption };
  };
}
