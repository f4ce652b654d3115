import type { NatsConnection } from "@nats-io/transport-node";
import { request } from "@natslet/bus";
import { subjects, volumeMethods, type Pod, type VolumeSetupReply } from "@natslet/contracts";

/** Setting up a pod's volumes can fetch objects and tokens from the API server and mount. */
const SETUP_TIMEOUT_MS = 60_000;

/** The volume-manager's commands (node-local, request/reply). */
export class VolumeClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly node: string,
  ) {}

  /**
   * Sets up (or re-checks) the pod's volumes and the mounts of `containers` (those about to
   * start: their subPaths are resolved now, after earlier init containers ran); the mounts per
   * container, or why the pod must wait.
   */
  setup(pod: Pod, podIps: string[], containers: string[]): Promise<VolumeSetupReply> {
    return request(this.nc, subjects.volumeRpc(this.node, "Setup"), { pod, podIps, containers }, volumeMethods.Setup.reply, { timeoutMs: SETUP_TIMEOUT_MS });
  }
}

/** Whether the pod has anything for the volume-manager to do. */
export function podNeedsVolumes(pod: Pod): boolean {
  if ((pod.spec.volumes ?? []).length > 0) return true;
  return [...(pod.spec.initContainers ?? []), ...pod.spec.containers].some((c) => (c.volumeMounts ?? []).length > 0);
}
