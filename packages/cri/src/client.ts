// CriClient: both CRI services over one grpc-js channel to a unix socket.
//
// Calls go through grpc.Client.makeUnaryRequest with the method definitions of the loaded
// proto instead of loadPackageDefinition's dynamic client classes: the types then come from
// services.ts and the only unchecked step is the one cast of a decoded response (unary()).
// @opentelemetry/instrumentation-grpc patches makeUnaryRequest, so CRI calls still become spans.
import { Client, Metadata, credentials } from "@grpc/grpc-js";
import type { ClientUnaryCall } from "@grpc/grpc-js";
import type { ServiceDefinition } from "@grpc/proto-loader";
import { endpointToTarget } from "./endpoint.js";
import { CriError, toCriError } from "./errors.js";
import { criService, loadCriProto } from "./proto.js";
import { IMAGE_RPCS, RUNTIME_RPCS } from "./services.js";
import type { CallOptions, ImageService, RuntimeService } from "./services.js";
import type * as t from "./types.js";

export interface CriClientOptions {
  /** How long connect() waits for the socket to accept; default 10 s. */
  connectTimeoutMs?: number;
  /** Default deadline of runtime calls; default 2 min (the kubelet's runtime-request-timeout). */
  timeoutMs?: number;
  /** Default deadline of PullImage; default 10 min (large images on slow registries). */
  pullTimeoutMs?: number;
  /** api.proto to load instead of the default (see proto.ts). */
  protoPath?: string;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
export const DEFAULT_TIMEOUT_MS = 2 * 60_000;
export const DEFAULT_PULL_TIMEOUT_MS = 10 * 60_000;

// The kubelet raises gRPC's 4 MiB default to 16 MiB: ListContainers/ListPodSandbox on a node
// with many pods (labels + annotations each) outgrow 4 MiB.
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

type ReqOf<F> = F extends (req: infer Q, opts?: CallOptions) => Promise<unknown> ? Q : never;
type RespOf<F> = F extends (req: never, opts?: CallOptions) => Promise<infer R> ? R : never;

export class CriClient implements RuntimeService, ImageService {
  private closed = false;

  private constructor(
    private readonly grpc: Client,
    private readonly runtimeDef: ServiceDefinition,
    private readonly imageDef: ServiceDefinition,
    private readonly timeoutMs: number,
    private readonly pullTimeoutMs: number,
  ) {}

  /**
   * Opens a channel to `unix:///path` (or a bare `/path`) and waits until it is ready, so a
   * missing or dead runtime shows up here and not at the first call. After that, grpc-js
   * reconnects on its own when the runtime restarts; calls in between fail with UNAVAILABLE.
   */
  static async connect(endpoint: string, opts: CriClientOptions = {}): Promise<CriClient> {
    const target = endpointToTarget(endpoint);
    const def = loadCriProto(opts.protoPath);
    const grpc = new Client(target, credentials.createInsecure(), {
      "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
      "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
    });
    const connectTimeoutMs = opts.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    try {
      await new Promise<void>((resolve, reject) => {
        grpc.waitForReady(Date.now() + connectTimeoutMs, (err) => (err ? reject(err) : resolve()));
      });
    } catch (err) {
      grpc.close();
      const why = err instanceof Error ? err.message : String(err);
      throw new CriError("UNAVAILABLE", "connect", `${target}: ${why}`, { cause: err });
    }
    return new CriClient(
      grpc,
      criService(def, "RuntimeService"),
      criService(def, "ImageService"),
      opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      opts.pullTimeoutMs ?? DEFAULT_PULL_TIMEOUT_MS,
    );
  }

  /** Closes the channel: calls in flight still complete, later calls fail with CANCELLED. */
  close(): void {
    this.closed = true;
    this.grpc.close();
  }

  // ------------------------------------------------------------ RuntimeService

  version(req: t.VersionRequest, opts?: CallOptions): Promise<t.VersionResponse> {
    return this.runtime("version", req, opts);
  }
  status(req: t.StatusRequest, opts?: CallOptions): Promise<t.StatusResponse> {
    return this.runtime("status", req, opts);
  }
  runPodSandbox(req: t.RunPodSandboxRequest, opts?: CallOptions): Promise<t.RunPodSandboxResponse> {
    return this.runtime("runPodSandbox", req, opts);
  }
  stopPodSandbox(req: t.StopPodSandboxRequest, opts?: CallOptions): Promise<t.StopPodSandboxResponse> {
    return this.runtime("stopPodSandbox", req, opts);
  }
  removePodSandbox(
    req: t.RemovePodSandboxRequest,
    opts?: CallOptions,
  ): Promise<t.RemovePodSandboxResponse> {
    return this.runtime("removePodSandbox", req, opts);
  }
  podSandboxStatus(
    req: t.PodSandboxStatusRequest,
    opts?: CallOptions,
  ): Promise<t.PodSandboxStatusResponse> {
    return this.runtime("podSandboxStatus", req, opts);
  }
  listPodSandbox(req: t.ListPodSandboxRequest, opts?: CallOptions): Promise<t.ListPodSandboxResponse> {
    return this.runtime("listPodSandbox", req, opts);
  }
  createContainer(
    req: t.CreateContainerRequest,
    opts?: CallOptions,
  ): Promise<t.CreateContainerResponse> {
    return this.runtime("createContainer", req, opts);
  }
  startContainer(req: t.StartContainerRequest, opts?: CallOptions): Promise<t.StartContainerResponse> {
    return this.runtime("startContainer", req, opts);
  }
  stopContainer(req: t.StopContainerRequest, opts?: CallOptions): Promise<t.StopContainerResponse> {
    return this.runtime("stopContainer", req, opts);
  }
  removeContainer(
    req: t.RemoveContainerRequest,
    opts?: CallOptions,
  ): Promise<t.RemoveContainerResponse> {
    return this.runtime("removeContainer", req, opts);
  }
  listContainers(req: t.ListContainersRequest, opts?: CallOptions): Promise<t.ListContainersResponse> {
    return this.runtime("listContainers", req, opts);
  }
  containerStatus(
    req: t.ContainerStatusRequest,
    opts?: CallOptions,
  ): Promise<t.ContainerStatusResponse> {
    return this.runtime("containerStatus", req, opts);
  }
  updateContainerResources(
    req: t.UpdateContainerResourcesRequest,
    opts?: CallOptions,
  ): Promise<t.UpdateContainerResourcesResponse> {
    return this.runtime("updateContainerResources", req, opts);
  }
  reopenContainerLog(
    req: t.ReopenContainerLogRequest,
    opts?: CallOptions,
  ): Promise<t.ReopenContainerLogResponse> {
    return this.runtime("reopenContainerLog", req, opts);
  }
  execSync(req: t.ExecSyncRequest, opts?: CallOptions): Promise<t.ExecSyncResponse> {
    return this.runtime("execSync", req, opts);
  }
  exec(req: t.ExecRequest, opts?: CallOptions): Promise<t.ExecResponse> {
    return this.runtime("exec", req, opts);
  }
  attach(req: t.AttachRequest, opts?: CallOptions): Promise<t.AttachResponse> {
    return this.runtime("attach", req, opts);
  }
  portForward(req: t.PortForwardRequest, opts?: CallOptions): Promise<t.PortForwardResponse> {
    return this.runtime("portForward", req, opts);
  }
  containerStats(req: t.ContainerStatsRequest, opts?: CallOptions): Promise<t.ContainerStatsResponse> {
    return this.runtime("containerStats", req, opts);
  }
  listContainerStats(
    req: t.ListContainerStatsRequest,
    opts?: CallOptions,
  ): Promise<t.ListContainerStatsResponse> {
    return this.runtime("listContainerStats", req, opts);
  }
  podSandboxStats(
    req: t.PodSandboxStatsRequest,
    opts?: CallOptions,
  ): Promise<t.PodSandboxStatsResponse> {
    return this.runtime("podSandboxStats", req, opts);
  }
  listPodSandboxStats(
    req: t.ListPodSandboxStatsRequest,
    opts?: CallOptions,
  ): Promise<t.ListPodSandboxStatsResponse> {
    return this.runtime("listPodSandboxStats", req, opts);
  }
  updateRuntimeConfig(
    req: t.UpdateRuntimeConfigRequest,
    opts?: CallOptions,
  ): Promise<t.UpdateRuntimeConfigResponse> {
    return this.runtime("updateRuntimeConfig", req, opts);
  }
  runtimeConfig(req: t.RuntimeConfigRequest, opts?: CallOptions): Promise<t.RuntimeConfigResponse> {
    return this.runtime("runtimeConfig", req, opts);
  }

  // ------------------------------------------------------------ ImageService

  listImages(req: t.ListImagesRequest, opts?: CallOptions): Promise<t.ListImagesResponse> {
    return this.image("listImages", req, opts);
  }
  imageStatus(req: t.ImageStatusRequest, opts?: CallOptions): Promise<t.ImageStatusResponse> {
    return this.image("imageStatus", req, opts);
  }
  pullImage(req: t.PullImageRequest, opts?: CallOptions): Promise<t.PullImageResponse> {
    return this.image("pullImage", req, opts, this.pullTimeoutMs);
  }
  removeImage(req: t.RemoveImageRequest, opts?: CallOptions): Promise<t.RemoveImageResponse> {
    return this.image("removeImage", req, opts);
  }
  imageFsInfo(req: t.ImageFsInfoRequest, opts?: CallOptions): Promise<t.ImageFsInfoResponse> {
    return this.image("imageFsInfo", req, opts);
  }

  // ------------------------------------------------------------ transport

  // Keyed by our method name, so a method body calling the wrong rpc fails to compile.
  private runtime<K extends keyof RuntimeService>(
    key: K,
    req: ReqOf<RuntimeService[K]>,
    opts: CallOptions | undefined,
  ): Promise<RespOf<RuntimeService[K]>> {
    return this.unary(this.runtimeDef, RUNTIME_RPCS[key], req, opts, this.timeoutMs);
  }

  private image<K extends keyof ImageService>(
    key: K,
    req: ReqOf<ImageService[K]>,
    opts: CallOptions | undefined,
    defaultTimeoutMs: number = this.timeoutMs,
  ): Promise<RespOf<ImageService[K]>> {
    return this.unary(this.imageDef, IMAGE_RPCS[key], req, opts, defaultTimeoutMs);
  }

  private unary<Resp>(
    svc: ServiceDefinition,
    rpc: string,
    req: object,
    opts: CallOptions | undefined,
    defaultTimeoutMs: number,
  ): Promise<Resp> {
    return new Promise<Resp>((resolve, reject) => {
      const method = svc[rpc];
      if (method === undefined) {
        reject(new CriError("UNIMPLEMENTED", rpc, "not in the loaded CRI api.proto"));
        return;
      }
      if (this.closed) {
        // grpc-go's wording and code for the same situation.
        reject(new CriError("CANCELLED", rpc, "the client connection is closing"));
        return;
      }
      const signal = opts?.signal;
      if (signal?.aborted === true) {
        reject(new CriError("CANCELLED", rpc, "aborted before the call was sent"));
        return;
      }
      const deadline = Date.now() + (opts?.timeoutMs ?? defaultTimeoutMs);
      let call: ClientUnaryCall;
      try {
        call = this.grpc.makeUnaryRequest(
          method.path,
          method.requestSerialize,
          method.responseDeserialize,
          req,
          new Metadata(),
          { deadline },
          (err, res) => {
            signal?.removeEventListener("abort", onAbort);
            if (err !== null) reject(toCriError(err, rpc));
            else if (res === undefined) reject(new CriError("INTERNAL", rpc, "no response message"));
            // The one unchecked step: proto-loader decodes to `object`; the shape is the
            // services.ts response type, as types.test.ts checks against the same proto.
            else resolve(res as Resp);
          },
        );
      } catch (err) {
        // grpc-js throws synchronously for a channel it cannot use (e.g. closed elsewhere).
        reject(toCriError(err, rpc));
        return;
      }
      const onAbort = (): void => call.cancel();
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
}
