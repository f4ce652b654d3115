// The node status (kubelet: syncNodeStatus / tryUpdateNodeStatus): every update period read the
// host and the runtime, and post the status when it changed or when the report period passed.
// The node's current conditions come from the API server each time, so a controller's
// "Unknown" is seen and corrected at the next check.
import type { Clock } from "@natslet/kube";
import type { Logger } from "@natslet/telemetry";
import type { NodeApi } from "./api.js";
import { computeCapacity } from "./capacity.js";
import { conditionsChanged, pressureConditions, readyCondition, stampConditions, type Readings, type RuntimeState } from "./conditions.js";
import { pause, rfc3339 } from "./loop.js";
import type { MachineInfo } from "./machine.js";
import type { Reserved } from "./node-config.js";
import { nodeStatus, statusDigest, type NodeIdentity } from "./node-object.js";

export interface RuntimeReading {
  state: RuntimeState;
  /** containerd's version, when it answered. */
  version?: string;
}

export interface StatusLoopDeps {
  nodes: NodeApi;
  id: NodeIdentity;
  machine: MachineInfo;
  maxPods: number;
  systemReserved: Reserved;
  kubeReserved: Reserved;
  readRuntime: () => Promise<RuntimeReading>;
  readReadings: () => Promise<Readings>;
  clock: Clock;
  wallNow: () => Date;
  log: Logger;
  updateMs: number;
  reportMs: number;
  onPost?: (outcome: "posted" | "unchanged" | "error") => void;
}

/** Whether to post now: something changed, or the last post is older than the report period. */
export function shouldPost(changed: boolean, lastPostMs: number | undefined, nowMs: number, reportMs: number): boolean {
  return changed || lastPostMs === undefined || nowMs - lastPostMs >= reportMs;
}

export async function runStatusLoop(d: StatusLoopDeps, signal: AbortSignal): Promise<void> {
  const resources = computeCapacity(d.machine, d.maxPods, d.systemReserved, d.kubeReserved);
  let lastDigest: string | undefined;
  let lastPostMs: number | undefined;
  let runtimeVersion: string | undefined;
  while (!signal.aborted) {
    try {
      const [runtime, readings, node] = await Promise.all([d.readRuntime(), d.readReadings(), d.nodes.get(d.id.name)]);
      if (node === undefined) throw new Error(`node ${d.id.name} was deleted; it is registered again on restart`);
      if (runtime.version !== undefined) runtimeVersion = runtime.version;
      const states = [...pressureConditions(readings), readyCondition(runtime.state)];
      const now = rfc3339(d.wallNow());
      const status = nodeStatus(d.id, d.machine, resources, stampConditions(states, node.conditions, now), runtimeVersion);
      const digest = statusDigest(status);
      const changed = digest !== lastDigest || conditionsChanged(states, node.conditions);
      if (shouldPost(changed, lastPostMs, d.clock.now(), d.reportMs)) {
        await d.nodes.patchStatus(d.id.name, status);
        if (changed) d.log.info({ conditions: states.map((s) => `${s.type}=${s.status}`).join(","), ready: states.at(-1)?.message }, "node status posted");
        lastDigest = digest;
        lastPostMs = d.clock.now();
        d.onPost?.("posted");
      } else {
        d.onPost?.("unchanged");
      }
    } catch (err) {
      d.onPost?.("error");
      d.log.warn({ err }, "node status not posted; next check retries");
    }
    if (!(await pause(d.clock, d.updateMs, signal))) return;
  }
}
