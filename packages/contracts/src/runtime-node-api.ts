// Runtime commands the node-api uses: CRI streaming URLs (exec, attach, port-forward) and stats,
// reached through the runtime-adapter (the only process holding the CRI socket).
import { array, boolean, nonEmptyString, nonNegativeInteger, object, optional, string, type Parsed } from "./schema.js";

const streamUrl = object({
  /** The CRI streaming server's one-time URL (http://host:port/exec/<token>); valid ~1 minute. */
  url: nonEmptyString,
});

/** CPU and memory of one container or pod sandbox as the CRI stats calls report them. */
export const resourceUsageSchema = object({
  /** Epoch milliseconds of the CPU sample. */
  cpuTimestampMs: nonNegativeInteger,
  /** Cumulative CPU time in nanoseconds (absent when the runtime did not report it). */
  cpuUsageCoreNanoSeconds: optional(nonNegativeInteger),
  /** The runtime's own rate over its last interval, when it reports one. */
  cpuUsageNanoCores: optional(nonNegativeInteger),
  memoryTimestampMs: nonNegativeInteger,
  memoryWorkingSetBytes: optional(nonNegativeInteger),
  memoryUsageBytes: optional(nonNegativeInteger),
  memoryRssBytes: optional(nonNegativeInteger),
  memoryAvailableBytes: optional(nonNegativeInteger),
  memoryPageFaults: optional(nonNegativeInteger),
  memoryMajorPageFaults: optional(nonNegativeInteger),
});

export const containerStatsSchema = object({
  id: nonEmptyString,
  name: string,
  podUid: string,
  podName: string,
  podNamespace: string,
  usage: resourceUsageSchema,
  /** Bytes of the writable layer (rootfs.usedBytes), when the runtime reports it. */
  rootfsUsedBytes: optional(nonNegativeInteger),
  /** Epoch milliseconds the container started (the runtime-adapter's observed status), once it has. */
  startedAt: optional(nonNegativeInteger),
});

export const podSandboxStatsSchema = object({
  sandboxId: nonEmptyString,
  podUid: string,
  podName: string,
  podNamespace: string,
  usage: resourceUsageSchema,
});

export type ResourceUsage = Parsed<typeof resourceUsageSchema>;
export type ContainerStatsEntry = Parsed<typeof containerStatsSchema>;
export type PodSandboxStatsEntry = Parsed<typeof podSandboxStatsSchema>;

export const runtimeNodeApiMethods = {
  /** CRI Exec: a streaming URL for running `cmd` in the container (kubectl exec). */
  Exec: {
    request: object({
      containerId: nonEmptyString,
      cmd: array(string),
      tty: boolean,
      stdin: boolean,
      stdout: boolean,
      stderr: boolean,
    }),
    reply: streamUrl,
  },
  /** CRI Attach: a streaming URL for the container's main process (kubectl attach). */
  Attach: {
    request: object({ containerId: nonEmptyString, tty: boolean, stdin: boolean, stdout: boolean, stderr: boolean }),
    reply: streamUrl,
  },
  /** CRI PortForward: a streaming URL for the sandbox's network namespace (kubectl port-forward). */
  PortForward: {
    request: object({ sandboxId: nonEmptyString, ports: array(nonNegativeInteger) }),
    reply: streamUrl,
  },
  /**
   * CRI ListContainerStats and ListPodSandboxStats for natslet's pods, each container with its
   * start time (the summary's startTime). `pods` is empty when the runtime does not implement
   * sandbox stats; the node-api then sums the containers.
   */
  ListStats: {
    request: object({}),
    reply: object({ containers: array(containerStatsSchema), pods: array(podSandboxStatsSchema) }),
  },
} as const;
