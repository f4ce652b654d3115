// The two CRI services as TypeScript interfaces: the seam between natslet's runtime logic and
// the gRPC transport (CriClient implements both; a test double can too).
import type * as t from "./types.js";

export interface CallOptions {
  /** Deadline for this call; defaults to the client's (2 min, 10 min for PullImage). */
  timeoutMs?: number;
  /** Aborting cancels the call; it then fails with code CANCELLED. */
  signal?: AbortSignal;
}

type Call<Req, Resp> = (req: Req, opts?: CallOptions) => Promise<Resp>;

/** runtime.v1.RuntimeService: sandboxes, containers, streaming URLs, stats. */
export interface RuntimeService {
  version: Call<t.VersionRequest, t.VersionResponse>;
  status: Call<t.StatusRequest, t.StatusResponse>;
  runPodSandbox: Call<t.RunPodSandboxRequest, t.RunPodSandboxResponse>;
  stopPodSandbox: Call<t.StopPodSandboxRequest, t.StopPodSandboxResponse>;
  removePodSandbox: Call<t.RemovePodSandboxRequest, t.RemovePodSandboxResponse>;
  podSandboxStatus: Call<t.PodSandboxStatusRequest, t.PodSandboxStatusResponse>;
  listPodSandbox: Call<t.ListPodSandboxRequest, t.ListPodSandboxResponse>;
  createContainer: Call<t.CreateContainerRequest, t.CreateContainerResponse>;
  startContainer: Call<t.StartContainerRequest, t.StartContainerResponse>;
  stopContainer: Call<t.StopContainerRequest, t.StopContainerResponse>;
  removeContainer: Call<t.RemoveContainerRequest, t.RemoveContainerResponse>;
  listContainers: Call<t.ListContainersRequest, t.ListContainersResponse>;
  containerStatus: Call<t.ContainerStatusRequest, t.ContainerStatusResponse>;
  updateContainerResources: Call<t.UpdateContainerResourcesRequest, t.UpdateContainerResourcesResponse>;
  reopenContainerLog: Call<t.ReopenContainerLogRequest, t.ReopenContainerLogResponse>;
  execSync: Call<t.ExecSyncRequest, t.ExecSyncResponse>;
  exec: Call<t.ExecRequest, t.ExecResponse>;
  attach: Call<t.AttachRequest, t.AttachResponse>;
  portForward: Call<t.PortForwardRequest, t.PortForwardResponse>;
  containerStats: Call<t.ContainerStatsRequest, t.ContainerStatsResponse>;
  listContainerStats: Call<t.ListContainerStatsRequest, t.ListContainerStatsResponse>;
  podSandboxStats: Call<t.PodSandboxStatsRequest, t.PodSandboxStatsResponse>;
  listPodSandboxStats: Call<t.ListPodSandboxStatsRequest, t.ListPodSandboxStatsResponse>;
  updateRuntimeConfig: Call<t.UpdateRuntimeConfigRequest, t.UpdateRuntimeConfigResponse>;
  /** Newer than containerd 1.6, which answers UNIMPLEMENTED (the kubelet then assumes its own cgroup driver). */
  runtimeConfig: Call<t.RuntimeConfigRequest, t.RuntimeConfigResponse>;
}

/** runtime.v1.ImageService. */
export interface ImageService {
  listImages: Call<t.ListImagesRequest, t.ListImagesResponse>;
  imageStatus: Call<t.ImageStatusRequest, t.ImageStatusResponse>;
  pullImage: Call<t.PullImageRequest, t.PullImageResponse>;
  removeImage: Call<t.RemoveImageRequest, t.RemoveImageResponse>;
  imageFsInfo: Call<t.ImageFsInfoRequest, t.ImageFsInfoResponse>;
}

// Our method name → the proto's rpc name. `satisfies` makes the compiler demand exactly one
// entry per interface method; services.test.ts checks each rpc against the loaded proto.
export const RUNTIME_RPCS = {
  version: "Version",
  status: "Status",
  runPodSandbox: "RunPodSandbox",
  stopPodSandbox: "StopPodSandbox",
  removePodSandbox: "RemovePodSandbox",
  podSandboxStatus: "PodSandboxStatus",
  listPodSandbox: "ListPodSandbox",
  createContainer: "CreateContainer",
  startContainer: "StartContainer",
  stopContainer: "StopContainer",
  removeContainer: "RemoveContainer",
  listContainers: "ListContainers",
  containerStatus: "ContainerStatus",
  updateContainerResources: "UpdateContainerResources",
  reopenContainerLog: "ReopenContainerLog",
  execSync: "ExecSync",
  exec: "Exec",
  attach: "Attach",
  portForward: "PortForward",
  containerStats: "ContainerStats",
  listContainerStats: "ListContainerStats",
  podSandboxStats: "PodSandboxStats",
  listPodSandboxStats: "ListPodSandboxStats",
  updateRuntimeConfig: "UpdateRuntimeConfig",
  runtimeConfig: "RuntimeConfig",
} as const satisfies Record<keyof RuntimeService, string>;

export const IMAGE_RPCS = {
  listImages: "ListImages",
  imageStatus: "ImageStatus",
  pullImage: "PullImage",
  removeImage: "RemoveImage",
  imageFsInfo: "ImageFsInfo",
} as const satisfies Record<keyof ImageService, string>;
