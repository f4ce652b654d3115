// CRI runtime.v1 messages as @grpc/proto-loader hands them to us and takes them from us
// (options in proto.ts: camelCase fields, longs as strings, enums as strings, defaults on).
// Written by hand from the protocol's message and field names; types.test.ts checks every
// field name here against the loaded api.proto, because a misspelled field is dropped
// silently by the encoder.
//
// Two shapes, because the two directions really differ:
//  - Requests (`...Request`, and `...Input` for messages that travel both ways): every field
//    optional, as in proto3 (absent = zero value); int64 accepts a string or a number.
//  - Responses: proto-loader fills in defaults, so every scalar, list and map is present;
//    a nested message the runtime left unset arrives as null; int64/uint64 arrive as strings.
// Every response shape is assignable to its `...Input` shape, so a value read from the
// runtime can be sent back (e.g. ContainerStatus.resources.linux into an update).
//
// Windows-only fields and deprecated fields are left out on purpose (Linux node agent);
// types.test.ts lists them, so a new field in a newer api.proto fails the test until
// someone decides about it.

/** int64/uint64 as received (longs: String). */
export type Int64 = string;
/** int64/uint64 as sent: protobufjs accepts decimal strings and safe integers. */
export type Int64Input = string | number;
/** Protobuf bytes as received (only responses carry bytes here). */
export type Bytes = Buffer;

// ---------------------------------------------------------------- enums (string names)
// Each enum is a const list (usable at run time, e.g. to validate a bus message) and the
// union of its names; types.test.ts compares every list with the proto's enum.

export const PROTOCOLS = ["TCP", "UDP", "SCTP"] as const;
export type Protocol = (typeof PROTOCOLS)[number];

export const MOUNT_PROPAGATIONS = [
  "PROPAGATION_PRIVATE",
  "PROPAGATION_HOST_TO_CONTAINER",
  "PROPAGATION_BIDIRECTIONAL",
] as const;
export type MountPropagation = (typeof MOUNT_PROPAGATIONS)[number];

/** POD: shared by the pod's containers; CONTAINER: private; NODE: the host's; TARGET: another container's. */
export const NAMESPACE_MODES = ["POD", "CONTAINER", "NODE", "TARGET"] as const;
export type NamespaceMode = (typeof NAMESPACE_MODES)[number];

export const SUPPLEMENTAL_GROUPS_POLICIES = ["Merge", "Strict"] as const;
export type SupplementalGroupsPolicy = (typeof SUPPLEMENTAL_GROUPS_POLICIES)[number];

/** runtime.v1.SecurityProfile.ProfileType */
export const SECURITY_PROFILE_TYPES = ["RuntimeDefault", "Unconfined", "Localhost"] as const;
export type SecurityProfileType = (typeof SECURITY_PROFILE_TYPES)[number];

export const POD_SANDBOX_STATES = ["SANDBOX_READY", "SANDBOX_NOTREADY"] as const;
export type PodSandboxState = (typeof POD_SANDBOX_STATES)[number];

export const CONTAINER_STATES = [
  "CONTAINER_CREATED",
  "CONTAINER_RUNNING",
  "CONTAINER_EXITED",
  "CONTAINER_UNKNOWN",
] as const;
export type ContainerState = (typeof CONTAINER_STATES)[number];

export const CGROUP_DRIVERS = ["SYSTEMD", "CGROUPFS"] as const;
export type CgroupDriver = (typeof CGROUP_DRIVERS)[number];

/** Stop signals; RUNTIME_DEFAULT leaves the choice to the runtime (image config or SIGTERM). */
export const SIGNALS = [
  "RUNTIME_DEFAULT", "SIGABRT", "SIGALRM", "SIGBUS", "SIGCHLD", "SIGCLD", "SIGCONT", "SIGFPE",
  "SIGHUP", "SIGILL", "SIGINT", "SIGIO", "SIGIOT", "SIGKILL", "SIGPIPE", "SIGPOLL", "SIGPROF",
  "SIGPWR", "SIGQUIT", "SIGSEGV", "SIGSTKFLT", "SIGSTOP", "SIGSYS", "SIGTERM", "SIGTRAP",
  "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGUSR1", "SIGUSR2", "SIGVTALRM", "SIGWINCH",
  "SIGXCPU", "SIGXFSZ", "SIGRTMIN", "SIGRTMINPLUS1", "SIGRTMINPLUS2", "SIGRTMINPLUS3",
  "SIGRTMINPLUS4", "SIGRTMINPLUS5", "SIGRTMINPLUS6", "SIGRTMINPLUS7", "SIGRTMINPLUS8",
  "SIGRTMINPLUS9", "SIGRTMINPLUS10", "SIGRTMINPLUS11", "SIGRTMINPLUS12", "SIGRTMINPLUS13",
  "SIGRTMINPLUS14", "SIGRTMINPLUS15", "SIGRTMAXMINUS14", "SIGRTMAXMINUS13", "SIGRTMAXMINUS12",
  "SIGRTMAXMINUS11", "SIGRTMAXMINUS10", "SIGRTMAXMINUS9", "SIGRTMAXMINUS8", "SIGRTMAXMINUS7",
  "SIGRTMAXMINUS6", "SIGRTMAXMINUS5", "SIGRTMAXMINUS4", "SIGRTMAXMINUS3", "SIGRTMAXMINUS2",
  "SIGRTMAXMINUS1", "SIGRTMAX",
] as const;
export type Signal = (typeof SIGNALS)[number];

/** Labels, annotations, sysctls, info, label selectors. */
export type StringMap = Record<string, string>;

// ---------------------------------------------------------------- messages used both ways

export interface PodSandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}
export type PodSandboxMetadataInput = Partial<PodSandboxMetadata>;

export interface ContainerMetadata {
  name: string;
  attempt: number;
}
export type ContainerMetadataInput = Partial<ContainerMetadata>;

export interface ImageSpec {
  /** Image reference or image id. */
  image: string;
  annotations: StringMap;
  /** The image name exactly as the pod spec wrote it (before resolution). */
  userSpecifiedImage: string;
  runtimeHandler: string;
}
export type ImageSpecInput = Partial<ImageSpec>;

export interface IDMapping {
  hostId: number;
  containerId: number;
  length: number;
}
export type IDMappingInput = Partial<IDMapping>;

export interface Mount {
  containerPath: string;
  hostPath: string;
  readonly: boolean;
  selinuxRelabel: boolean;
  propagation: MountPropagation;
  uidMappings: IDMapping[];
  gidMappings: IDMapping[];
  recursiveReadOnly: boolean;
  /** Image volume: mount this image instead of hostPath. */
  image: ImageSpec | null;
  imageSubPath: string;
}
export interface MountInput {
  containerPath?: string;
  hostPath?: string;
  readonly?: boolean;
  selinuxRelabel?: boolean;
  propagation?: MountPropagation;
  uidMappings?: IDMappingInput[];
  gidMappings?: IDMappingInput[];
  recursiveReadOnly?: boolean;
  image?: ImageSpecInput | null;
  imageSubPath?: string;
}

export interface UserNamespace {
  mode: NamespaceMode;
  uids: IDMapping[];
  gids: IDMapping[];
}
export interface UserNamespaceInput {
  mode?: NamespaceMode;
  uids?: IDMappingInput[];
  gids?: IDMappingInput[];
}

export interface NamespaceOption {
  network: NamespaceMode;
  pid: NamespaceMode;
  ipc: NamespaceMode;
  /** Container id whose namespace is joined when a mode is TARGET. */
  targetId: string;
  usernsOptions: UserNamespace | null;
}
export interface NamespaceOptionInput {
  network?: NamespaceMode;
  pid?: NamespaceMode;
  ipc?: NamespaceMode;
  targetId?: string;
  usernsOptions?: UserNamespaceInput | null;
}

export interface HugepageLimit {
  /** e.g. "2MB", "1GB". */
  pageSize: string;
  limit: Int64;
}
export interface HugepageLimitInput {
  pageSize?: string;
  limit?: Int64Input;
}

/** cgroup settings of a container (or a sandbox's overhead/resources). */
export interface LinuxContainerResources {
  cpuPeriod: Int64;
  cpuQuota: Int64;
  cpuShares: Int64;
  memoryLimitInBytes: Int64;
  oomScoreAdj: Int64;
  cpusetCpus: string;
  cpusetMems: string;
  hugepageLimits: HugepageLimit[];
  /** cgroup v2 files, name → value. */
  unified: StringMap;
  memorySwapLimitInBytes: Int64;
}
export interface LinuxContainerResourcesInput {
  cpuPeriod?: Int64Input;
  cpuQuota?: Int64Input;
  cpuShares?: Int64Input;
  memoryLimitInBytes?: Int64Input;
  oomScoreAdj?: Int64Input;
  cpusetCpus?: string;
  cpusetMems?: string;
  hugepageLimits?: HugepageLimitInput[];
  unified?: StringMap;
  memorySwapLimitInBytes?: Int64Input;
}

/** Wrapper that tells "unset" (null / absent) from 0, e.g. runAsUser: 0 is root. */
export interface Int64Value {
  value: Int64;
}
export interface Int64ValueInput {
  value?: Int64Input;
}

export interface UInt64Value {
  value: Int64;
}

// ---------------------------------------------------------------- pod sandbox config (sent)

export interface DNSConfig {
  servers?: string[];
  searches?: string[];
  options?: string[];
}

export interface PortMapping {
  protocol?: Protocol;
  containerPort?: number;
  hostPort?: number;
  hostIp?: string;
}

export interface SELinuxOption {
  user?: string;
  role?: string;
  type?: string;
  level?: string;
}

export interface SecurityProfile {
  profileType?: SecurityProfileType;
  /** Profile name or path when profileType is Localhost. */
  localhostRef?: string;
}

export interface LinuxSandboxSecurityContext {
  namespaceOptions?: NamespaceOptionInput | null;
  selinuxOptions?: SELinuxOption | null;
  runAsUser?: Int64ValueInput | null;
  runAsGroup?: Int64ValueInput | null;
  readonlyRootfs?: boolean;
  supplementalGroups?: Int64Input[];
  supplementalGroupsPolicy?: SupplementalGroupsPolicy;
  privileged?: boolean;
  seccomp?: SecurityProfile | null;
  apparmor?: SecurityProfile | null;
}

export interface LinuxPodSandboxConfig {
  cgroupParent?: string;
  securityContext?: LinuxSandboxSecurityContext | null;
  sysctls?: StringMap;
  overhead?: LinuxContainerResourcesInput | null;
  resources?: LinuxContainerResourcesInput | null;
}

export interface PodSandboxConfig {
  metadata?: PodSandboxMetadataInput | null;
  /** Must stay empty for a host-network sandbox (no private UTS namespace to set it in). */
  hostname?: string;
  /** Directory under which container log paths (ContainerConfig.logPath) are relative. */
  logDirectory?: string;
  dnsConfig?: DNSConfig | null;
  portMappings?: PortMapping[];
  labels?: StringMap;
  annotations?: StringMap;
  linux?: LinuxPodSandboxConfig | null;
}

// ---------------------------------------------------------------- container config (sent)

export interface KeyValue {
  key?: string;
  value?: string;
}

export interface Device {
  containerPath?: string;
  hostPath?: string;
  /** cgroup device permissions, e.g. "rwm". */
  permissions?: string;
}

export interface CDIDevice {
  /** Fully qualified CDI device name, e.g. vendor.com/gpu=0. */
  name?: string;
}

export interface Capability {
  addCapabilities?: string[];
  dropCapabilities?: string[];
  addAmbientCapabilities?: string[];
}

export interface LinuxContainerSecurityContext {
  capabilities?: Capability | null;
  privileged?: boolean;
  namespaceOptions?: NamespaceOptionInput | null;
  selinuxOptions?: SELinuxOption | null;
  runAsUser?: Int64ValueInput | null;
  runAsGroup?: Int64ValueInput | null;
  runAsUsername?: string;
  readonlyRootfs?: boolean;
  supplementalGroups?: Int64Input[];
  supplementalGroupsPolicy?: SupplementalGroupsPolicy;
  noNewPrivs?: boolean;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  seccomp?: SecurityProfile | null;
  apparmor?: SecurityProfile | null;
}

export interface LinuxContainerConfig {
  resources?: LinuxContainerResourcesInput | null;
  securityContext?: LinuxContainerSecurityContext | null;
}

export interface ContainerConfig {
  metadata?: ContainerMetadataInput | null;
  image?: ImageSpecInput | null;
  /** Entrypoint override (the pod spec's `command`). */
  command?: string[];
  args?: string[];
  workingDir?: string;
  envs?: KeyValue[];
  mounts?: MountInput[];
  devices?: Device[];
  labels?: StringMap;
  annotations?: StringMap;
  /** Relative to PodSandboxConfig.logDirectory. */
  logPath?: string;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  linux?: LinuxContainerConfig | null;
  /** proto-loader's camelCase of the field CDI_devices keeps the upper-case prefix. */
  CDIDevices?: CDIDevice[];
  stopSignal?: Signal;
}

// ---------------------------------------------------------------- sandbox status (received)

export interface PodIP {
  ip: string;
}

export interface PodSandboxNetworkStatus {
  ip: string;
  additionalIps: PodIP[];
}

export interface Namespace {
  options: NamespaceOption | null;
}

export interface LinuxPodSandboxStatus {
  namespaces: Namespace | null;
}

export interface PodSandboxStatus {
  id: string;
  metadata: PodSandboxMetadata | null;
  state: PodSandboxState;
  /** Nanoseconds since the epoch. */
  createdAt: Int64;
  network: PodSandboxNetworkStatus | null;
  linux: LinuxPodSandboxStatus | null;
  labels: StringMap;
  annotations: StringMap;
  runtimeHandler: string;
}

export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata | null;
  state: PodSandboxState;
  createdAt: Int64;
  labels: StringMap;
  annotations: StringMap;
  runtimeHandler: string;
}

// ---------------------------------------------------------------- container status (received)

export interface Container {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadata | null;
  image: ImageSpec | null;
  imageRef: string;
  state: ContainerState;
  createdAt: Int64;
  labels: StringMap;
  annotations: StringMap;
  imageId: string;
}

export interface ContainerResources {
  linux: LinuxContainerResources | null;
}

export interface LinuxContainerUser {
  uid: Int64;
  gid: Int64;
  supplementalGroups: Int64[];
}

export interface ContainerUser {
  linux: LinuxContainerUser | null;
}

export interface ContainerStatus {
  id: string;
  metadata: ContainerMetadata | null;
  state: ContainerState;
  /** Nanoseconds since the epoch; "0" when not (yet) reached. */
  createdAt: Int64;
  startedAt: Int64;
  finishedAt: Int64;
  exitCode: number;
  image: ImageSpec | null;
  /** Digest-qualified reference of the image actually run. */
  imageRef: string;
  /** Machine-readable reason, e.g. "OOMKilled", "Completed", "Error". */
  reason: string;
  message: string;
  labels: StringMap;
  annotations: StringMap;
  mounts: Mount[];
  logPath: string;
  resources: ContainerResources | null;
  /** Image id (not the reference); empty from runtimes older than the field. */
  imageId: string;
  user: ContainerUser | null;
  stopSignal: Signal;
}

// ---------------------------------------------------------------- runtime status (received)

export interface RuntimeCondition {
  /** "RuntimeReady" or "NetworkReady" (others may appear). */
  type: string;
  status: boolean;
  reason: string;
  message: string;
}

export interface RuntimeStatus {
  conditions: RuntimeCondition[];
}

export interface RuntimeHandlerFeatures {
  recursiveReadOnlyMounts: boolean;
  userNamespaces: boolean;
}

export interface RuntimeHandler {
  name: string;
  features: RuntimeHandlerFeatures | null;
}

export interface RuntimeFeatures {
  supplementalGroupsPolicy: boolean;
}

export interface LinuxRuntimeConfiguration {
  cgroupDriver: CgroupDriver;
}

export interface NetworkConfig {
  podCidr?: string;
}

export interface RuntimeConfig {
  networkConfig?: NetworkConfig | null;
}

// ---------------------------------------------------------------- stats (received)

export interface FilesystemIdentifier {
  mountpoint: string;
}

export interface FilesystemUsage {
  timestamp: Int64;
  fsId: FilesystemIdentifier | null;
  usedBytes: UInt64Value | null;
  inodesUsed: UInt64Value | null;
}

/** Pressure stall data; the field names are capitalised in the protocol itself. */
export interface PsiData {
  Total: Int64;
  Avg10: number;
  Avg60: number;
  Avg300: number;
}

export interface PsiStats {
  Full: PsiData | null;
  Some: PsiData | null;
}

export interface CpuUsage {
  timestamp: Int64;
  usageCoreNanoSeconds: UInt64Value | null;
  usageNanoCores: UInt64Value | null;
  psi: PsiStats | null;
}

export interface MemoryUsage {
  timestamp: Int64;
  workingSetBytes: UInt64Value | null;
  availableBytes: UInt64Value | null;
  usageBytes: UInt64Value | null;
  rssBytes: UInt64Value | null;
  pageFaults: UInt64Value | null;
  majorPageFaults: UInt64Value | null;
  psi: PsiStats | null;
}

export interface SwapUsage {
  timestamp: Int64;
  swapAvailableBytes: UInt64Value | null;
  swapUsageBytes: UInt64Value | null;
}

export interface IoUsage {
  timestamp: Int64;
  psi: PsiStats | null;
}

export interface ContainerAttributes {
  id: string;
  metadata: ContainerMetadata | null;
  labels: StringMap;
  annotations: StringMap;
}

export interface ContainerStats {
  attributes: ContainerAttributes | null;
  cpu: CpuUsage | null;
  memory: MemoryUsage | null;
  writableLayer: FilesystemUsage | null;
  swap: SwapUsage | null;
  io: IoUsage | null;
}

export interface NetworkInterfaceUsage {
  name: string;
  rxBytes: UInt64Value | null;
  rxErrors: UInt64Value | null;
  txBytes: UInt64Value | null;
  txErrors: UInt64Value | null;
}

export interface NetworkUsage {
  timestamp: Int64;
  defaultInterface: NetworkInterfaceUsage | null;
  interfaces: NetworkInterfaceUsage[];
}

export interface ProcessUsage {
  timestamp: Int64;
  processCount: UInt64Value | null;
}

export interface LinuxPodSandboxStats {
  cpu: CpuUsage | null;
  memory: MemoryUsage | null;
  network: NetworkUsage | null;
  process: ProcessUsage | null;
  containers: ContainerStats[];
  io: IoUsage | null;
}

export interface PodSandboxAttributes {
  id: string;
  metadata: PodSandboxMetadata | null;
  labels: StringMap;
  annotations: StringMap;
}

export interface PodSandboxStats {
  attributes: PodSandboxAttributes | null;
  linux: LinuxPodSandboxStats | null;
}

// ---------------------------------------------------------------- images (received)

export interface Image {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  size: Int64;
  /** Numeric user of the image config, when it names one. */
  uid: Int64Value | null;
  /** User name of the image config, when it is not numeric. */
  username: string;
  spec: ImageSpec | null;
  /** Pinned images are never garbage-collected (e.g. the sandbox image). */
  pinned: boolean;
}

/** Registry credentials for one pull. */
export interface AuthConfig {
  username?: string;
  password?: string;
  /** base64("user:password"), as in a docker config.json. */
  auth?: string;
  serverAddress?: string;
  identityToken?: string;
  registryToken?: string;
}

// ---------------------------------------------------------------- filters (sent)

export interface PodSandboxStateValue {
  state?: PodSandboxState;
}

export interface PodSandboxFilter {
  id?: string;
  state?: PodSandboxStateValue | null;
  /** All must match (AND). */
  labelSelector?: StringMap;
}

export interface ContainerStateValue {
  state?: ContainerState;
}

export interface ContainerFilter {
  id?: string;
  state?: ContainerStateValue | null;
  podSandboxId?: string;
  labelSelector?: StringMap;
}

export interface ContainerStatsFilter {
  id?: string;
  podSandboxId?: string;
  labelSelector?: StringMap;
}

export interface PodSandboxStatsFilter {
  id?: string;
  labelSelector?: StringMap;
}

export interface ImageFilter {
  image?: ImageSpecInput | null;
}

// ---------------------------------------------------------------- RuntimeService requests/responses

export interface VersionRequest {
  /** The CRI version the caller speaks. */
  version?: string;
}
export interface VersionResponse {
  version: string;
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

export interface StatusRequest {
  verbose?: boolean;
}
export interface StatusResponse {
  status: RuntimeStatus | null;
  info: StringMap;
  runtimeHandlers: RuntimeHandler[];
  features: RuntimeFeatures | null;
}

export interface RunPodSandboxRequest {
  config?: PodSandboxConfig | null;
  /** RuntimeClass handler; empty = the runtime's default. */
  runtimeHandler?: string;
}
export interface RunPodSandboxResponse {
  podSandboxId: string;
}

export interface StopPodSandboxRequest {
  podSandboxId?: string;
}
export type StopPodSandboxResponse = Record<string, never>;

export interface RemovePodSandboxRequest {
  podSandboxId?: string;
}
export type RemovePodSandboxResponse = Record<string, never>;

export interface PodSandboxStatusRequest {
  podSandboxId?: string;
  verbose?: boolean;
}
export interface PodSandboxStatusResponse {
  status: PodSandboxStatus | null;
  /** Only with verbose: runtime-specific debug data (JSON strings). */
  info: StringMap;
  /** Filled only by runtimes that support evented PLEG. */
  containersStatuses: ContainerStatus[];
  timestamp: Int64;
}

export interface ListPodSandboxRequest {
  filter?: PodSandboxFilter | null;
}
export interface ListPodSandboxResponse {
  items: PodSandbox[];
}

export interface CreateContainerRequest {
  podSandboxId?: string;
  config?: ContainerConfig | null;
  /** The config the sandbox was created with. */
  sandboxConfig?: PodSandboxConfig | null;
}
export interface CreateContainerResponse {
  containerId: string;
}

export interface StartContainerRequest {
  containerId?: string;
}
export type StartContainerResponse = Record<string, never>;

export interface StopContainerRequest {
  containerId?: string;
  /** Grace period in seconds before SIGKILL. */
  timeout?: Int64Input;
}
export type StopContainerResponse = Record<string, never>;

export interface RemoveContainerRequest {
  containerId?: string;
}
export type RemoveContainerResponse = Record<string, never>;

export interface ListContainersRequest {
  filter?: ContainerFilter | null;
}
export interface ListContainersResponse {
  containers: Container[];
}

export interface ContainerStatusRequest {
  containerId?: string;
  verbose?: boolean;
}
export interface ContainerStatusResponse {
  status: ContainerStatus | null;
  info: StringMap;
}

export interface UpdateContainerResourcesRequest {
  containerId?: string;
  linux?: LinuxContainerResourcesInput | null;
  annotations?: StringMap;
}
export type UpdateContainerResourcesResponse = Record<string, never>;

export interface ReopenContainerLogRequest {
  containerId?: string;
}
export type ReopenContainerLogResponse = Record<string, never>;

export interface ExecSyncRequest {
  containerId?: string;
  cmd?: string[];
  /** Seconds; 0 = no timeout. Keep the call's own deadline longer than this. */
  timeout?: Int64Input;
}
export interface ExecSyncResponse {
  stdout: Bytes;
  stderr: Bytes;
  exitCode: number;
}

export interface ExecRequest {
  containerId?: string;
  cmd?: string[];
  tty?: boolean;
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
}
/** The runtime's streaming server URL to hand the client to (exec, attach, port-forward). */
export interface ExecResponse {
  url: string;
}

export interface AttachRequest {
  containerId?: string;
  stdin?: boolean;
  tty?: boolean;
  stdout?: boolean;
  stderr?: boolean;
}
export interface AttachResponse {
  url: string;
}

export interface PortForwardRequest {
  podSandboxId?: string;
  port?: number[];
}
export interface PortForwardResponse {
  url: string;
}

export interface ContainerStatsRequest {
  containerId?: string;
}
export interface ContainerStatsResponse {
  stats: ContainerStats | null;
}

export interface ListContainerStatsRequest {
  filter?: ContainerStatsFilter | null;
}
export interface ListContainerStatsResponse {
  stats: ContainerStats[];
}

export interface PodSandboxStatsRequest {
  podSandboxId?: string;
}
export interface PodSandboxStatsResponse {
  stats: PodSandboxStats | null;
}

export interface ListPodSandboxStatsRequest {
  filter?: PodSandboxStatsFilter | null;
}
export interface ListPodSandboxStatsResponse {
  stats: PodSandboxStats[];
}

export interface UpdateRuntimeConfigRequest {
  runtimeConfig?: RuntimeConfig | null;
}
export type UpdateRuntimeConfigResponse = Record<string, never>;

export type RuntimeConfigRequest = Record<string, never>;
export interface RuntimeConfigResponse {
  linux: LinuxRuntimeConfiguration | null;
}

// ---------------------------------------------------------------- ImageService requests/responses

export interface ListImagesRequest {
  filter?: ImageFilter | null;
}
export interface ListImagesResponse {
  images: Image[];
}

export interface ImageStatusRequest {
  image?: ImageSpecInput | null;
  verbose?: boolean;
}
export interface ImageStatusResponse {
  /** null when the image is not present (not an error). */
  image: Image | null;
  info: StringMap;
}

export interface PullImageRequest {
  image?: ImageSpecInput | null;
  auth?: AuthConfig | null;
  sandboxConfig?: PodSandboxConfig | null;
}
export interface PullImageResponse {
  /** Digest-qualified reference or id of the pulled image. */
  imageRef: string;
}

export interface RemoveImageRequest {
  image?: ImageSpecInput | null;
}
export type RemoveImageResponse = Record<string, never>;

export type ImageFsInfoRequest = Record<string, never>;
export interface ImageFsInfoResponse {
  imageFilesystems: FilesystemUsage[];
  /** Set when containers' writable layers live on a different filesystem than images. */
  containerFilesystems: FilesystemUsage[];
}
