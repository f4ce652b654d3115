// What the command implementations (sandboxes.ts, containers.ts, images.ts) share.
import type { Cri } from "./instrumented.js";
import type { KeyedLock } from "@natslet/core";
import type { TerminationMessages } from "./termination.js";

export interface Runtime {
  /** The (instrumented) CRI client. */
  cri: Cri;
  termination: TerminationMessages;
  /** Serialises ensure-commands per idempotency key. */
  locks: KeyedLock;
  /** Root of the pod log directories (kubelet --pod-logs-dir). */
  podLogsDir: string;
  nodeName: string;
  /** status.hostIP for the downward API. */
  nodeIp: string;
  /** Node memory in bytes: the OOM score base, and limits.memory of containers without a limit. */
  memoryCapacityBytes: number;
  /** Node CPU in millicores: limits.cpu of containers without a limit. */
  cpuMillis: number;
}
