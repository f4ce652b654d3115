// @natslet/cri: a typed CRI runtime.v1 client (RuntimeService + ImageService) over grpc-js.
export { CriClient, DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_PULL_TIMEOUT_MS, DEFAULT_TIMEOUT_MS } from "./client.js";
export type { CriClientOptions } from "./client.js";
export { endpointToTarget } from "./endpoint.js";
export { CriError, GRPC_CODE_NAMES, grpcCodeName, hasCode, isNotFound, toCriError } from "./errors.js";
export type { GrpcCodeName } from "./errors.js";
export { CRI_PACKAGE, CRI_PROTO_ENV, criProtoPath, loadCriProto } from "./proto.js";
export { IMAGE_RPCS, RUNTIME_RPCS } from "./services.js";
export type { CallOptions, ImageService, RuntimeService } from "./services.js";
export {
  CGROUP_DRIVERS, CONTAINER_STATES, MOUNT_PROPAGATIONS, NAMESPACE_MODES, POD_SANDBOX_STATES,
  PROTOCOLS, SECURITY_PROFILE_TYPES, SIGNALS, SUPPLEMENTAL_GROUPS_POLICIES,
} from "./types.js";
export type {
  AttachRequest, AttachResponse, AuthConfig, Bytes, Capability, CDIDevice, CgroupDriver,
  Container, ContainerAttributes, ContainerConfig, ContainerFilter, ContainerMetadata,
  ContainerMetadataInput, ContainerResources, ContainerState, ContainerStateValue,
  ContainerStats, ContainerStatsFilter, ContainerStatsRequest, ContainerStatsResponse,
  ContainerStatus, ContainerStatusRequest, ContainerStatusResponse, ContainerUser, CpuUsage,
  CreateContainerRequest, CreateContainerResponse, Device, DNSConfig, ExecRequest, ExecResponse,
  ExecSyncRequest, ExecSyncResponse, FilesystemIdentifier, FilesystemUsage, HugepageLimit,
  HugepageLimitInput, IDMapping, IDMappingInput, Image, ImageFilter, ImageFsInfoRequest,
  ImageFsInfoResponse, ImageSpec, ImageSpecInput, ImageStatusRequest, ImageStatusResponse, Int64,
  Int64Input, Int64Value, Int64ValueInput, IoUsage, KeyValue, LinuxContainerConfig,
  LinuxContainerResources, LinuxContainerResourcesInput, LinuxContainerSecurityContext,
  LinuxContainerUser, LinuxPodSandboxConfig, LinuxPodSandboxStats, LinuxPodSandboxStatus,
  LinuxRuntimeConfiguration, LinuxSandboxSecurityContext, ListContainerStatsRequest,
  ListContainerStatsResponse, ListContainersRequest, ListContainersResponse, ListImagesRequest,
  ListImagesResponse, ListPodSandboxRequest, ListPodSandboxResponse, ListPodSandboxStatsRequest,
  ListPodSandboxStatsResponse, MemoryUsage, Mount, MountInput, MountPropagation, Namespace,
  NamespaceMode, NamespaceOption, NamespaceOptionInput, NetworkConfig, NetworkInterfaceUsage,
  NetworkUsage, PodIP, PodSandbox, PodSandboxAttributes, PodSandboxConfig, PodSandboxFilter,
  PodSandboxMetadata, PodSandboxMetadataInput, PodSandboxNetworkStatus, PodSandboxState,
  PodSandboxStateValue, PodSandboxStats, PodSandboxStatsFilter, PodSandboxStatsRequest,
  PodSandboxStatsResponse, PodSandboxStatus, PodSandboxStatusRequest, PodSandboxStatusResponse,
  PortForwardRequest, PortForwardResponse, PortMapping, ProcessUsage, Protocol, PsiData, PsiStats,
  PullImageRequest, PullImageResponse, ReopenContainerLogRequest, ReopenContainerLogResponse,
  RemoveContainerRequest, RemoveContainerResponse, RemoveImageRequest, RemoveImageResponse,
  RemovePodSandboxRequest, RemovePodSandboxResponse, RunPodSandboxRequest, RunPodSandboxResponse,
  RuntimeCondition, RuntimeConfig, RuntimeConfigRequest, RuntimeConfigResponse, RuntimeFeatures,
  RuntimeHandler, RuntimeHandlerFeatures, RuntimeStatus, SELinuxOption, SecurityProfile,
  SecurityProfileType, Signal, StartContainerRequest, StartContainerResponse, StatusRequest,
  StatusResponse, StopContainerRequest, StopContainerResponse, StopPodSandboxRequest,
  StopPodSandboxResponse, StringMap, SupplementalGroupsPolicy, SwapUsage, UInt64Value,
  UpdateContainerResourcesRequest, UpdateContainerResourcesResponse, UpdateRuntimeConfigRequest,
  UpdateRuntimeConfigResponse, UserNamespace, UserNamespaceInput, VersionRequest, VersionResponse,
} from "./types.js";
