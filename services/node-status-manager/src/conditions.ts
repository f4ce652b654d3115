// The Node's conditions (kubelet: nodestatus/setters.go ReadyCondition, MemoryPressureCondition,
// DiskPressureCondition, PIDPressureCondition). Pure: readings and the runtime's answer in,
// conditions out; transition times survive while a condition's status stays the same.
import { EVICTION_HARD } from "./capacity.js";

export type ConditionType = "MemoryPressure" | "DiskPressure" | "PIDPressure" | "Ready";
export type ConditionStatus = "True" | "False" | "Unknown";

export interface NodeCondition {
  type: ConditionType;
  status: ConditionStatus;
  reason: string;
  message: string;
  lastHeartbeatTime: string;
  lastTransitionTime: string;
}

/** A condition before it gets its times. */
export type ConditionState = Pick<NodeCondition, "type" | "status" | "reason" | "message">;

export interface RuntimeCondition {
  type: string;
  status: boolean;
  reason: string;
  message: string;
}

/** What the runtime-adapter said, or that it (or the CRI behind it) did not answer. */
export type RuntimeState = { up: true; conditions: readonly RuntimeCondition[] } | { up: false };

/** Host readings behind the pressure conditions; an absent one cannot signal pressure. */
export interface Readings {
  memoryAvailableBytes?: number;
  nodefs?: { availableBytes: number; capacityBytes: number };
  imagefs?: { availableBytes: number; capacityBytes: number };
  pids?: { inUse: number; max: number };
}

/** The kubelet's RuntimeCondition.String(): "NetworkReady=false reason:X message:Y". */
function describe(c: RuntimeCondition): string {
  return `${c.type}=${String(c.status)} reason:${c.reason} message:${c.message}`;
}

export function readyCondition(runtime: RuntimeState): ConditionState {
  const notReady = (message: string): ConditionState => ({ type: "Ready", status: "False", reason: "KubeletNotReady", message });
  // The message is fixed on purpose: an error text that differs on every check would make the
  // status "change" and be posted every 10 s for as long as the runtime is down.
  if (!runtime.up) return notReady("container runtime is down");
  const problems: string[] = [];
  for (const [type, what] of [["RuntimeReady", "container runtime not ready"], ["NetworkReady", "container runtime network not ready"]] as const) {
    const c = runtime.conditions.find((x) => x.type === type);
    if (c === undefined) problems.push(`${what}: ${type} condition missing`);
    else if (!c.status) problems.push(`${what}: ${describe(c)}`);
  }
  if (problems.length > 0) return notReady(problems.join(", "));
  return { type: "Ready", status: "True", reason: "KubeletReady", message: "natslet is posting ready status" };
}

function below(available: number, capacity: number, ratio: number): boolean {
  return available < capacity * ratio;
}

export function pressureConditions(r: Readings): ConditionState[] {
  const memory = r.memoryAvailableBytes !== undefined && r.memoryAvailableBytes < EVICTION_HARD.memoryAvailableBytes;
  const disk =
    (r.nodefs !== undefined && below(r.nodefs.availableBytes, r.nodefs.capacityBytes, EVICTION_HARD.nodefsAvailableRatio)) ||
    (r.imagefs !== undefined && below(r.imagefs.availableBytes, r.imagefs.capacityBytes, EVICTION_HARD.imagefsAvailableRatio));
  const pid = r.pids !== undefined && below(r.pids.max - r.pids.inUse, r.pids.max, EVICTION_HARD.pidAvailableRatio);
  return [
    memory
      ? { type: "MemoryPressure", status: "True", reason: "KubeletHasInsufficientMemory", message: "natslet has insufficient memory available" }
      : { type: "MemoryPressure", status: "False", reason: "KubeletHasSufficientMemory", message: "natslet has sufficient memory available" },
    disk
      ? { type: "DiskPressure", status: "True", reason: "KubeletHasDiskPressure", message: "natslet has disk pressure" }
      : { type: "DiskPressure", status: "False", reason: "KubeletHasNoDiskPressure", message: "natslet has no disk pressure" },
    pid
      ? { type: "PIDPressure", status: "True", reason: "KubeletHasInsufficientPID", message: "natslet has insufficient PID available" }
      : { type: "PIDPressure", status: "False", reason: "KubeletHasSufficientPID", message: "natslet has sufficient PID available" },
  ];
}

/**
 * Stamps the conditions with `now`: every heartbeat time is now, a transition time is kept
 * from `previous` (what the Node has) while the status stays the same.
 */
export function stampConditions(states: readonly ConditionState[], previous: readonly NodeCondition[], now: string): NodeCondition[] {
  return states.map((s) => {
    const before = previous.find((p) => p.type === s.type);
    const lastTransitionTime = before !== undefined && before.status === s.status ? before.lastTransitionTime : now;
    return { ...s, lastHeartbeatTime: now, lastTransitionTime };
  });
}

/** Whether the conditions differ in anything but their heartbeat times (worth an early post). */
export function conditionsChanged(next: readonly ConditionState[], previous: readonly NodeCondition[]): boolean {
  if (next.length !== previous.length) return true;
  return next.some((n) => {
    const p = previous.find((x) => x.type === n.type);
    return p === undefined || p.status !== n.status || p.reason !== n.reason || p.message !== n.message;
  });
}
