// Reads the status the API server holds (pod.status, unvalidated JSON) into the parts
// computePodStatus carries over. Lenient on purpose: it is our own earlier output or the
// kubelet's, and a field that does not look right is simply not carried over — a bad old
// status must never stop a new one from being written.
import type { ContainerState, ContainerStatus, IpEntry, PodPhase, PreviousPodStatus } from "./pod-status-types.js";

type Json = Record<string, unknown>;

const PHASES: readonly PodPhase[] = ["Pending", "Running", "Succeeded", "Failed", "Unknown"];

/** kubelet: the oldPodStatus the status manager merges with (statusManager.GetPodStatus / pod.Status). */
export function previousStatusOf(status: unknown): PreviousPodStatus {
  const s = obj(status);
  if (s === undefined) return {};
  const out: PreviousPodStatus = {};
  const phase = str(s["phase"]);
  if (phase !== undefined && (PHASES as readonly string[]).includes(phase)) out.phase = phase as PodPhase;
  const reason = str(s["reason"]);
  if (reason !== undefined && reason !== "") out.reason = reason;
  const message = str(s["message"]);
  if (message !== undefined && message !== "") out.message = message;
  const startTime = str(s["startTime"]);
  if (startTime !== undefined) out.startTime = startTime;
  const podIP = str(s["podIP"]);
  if (podIP !== undefined) out.podIP = podIP;
  const podIPs = list(s["podIPs"]).flatMap((e): IpEntry[] => {
    const ip = str(obj(e)?.["ip"]);
    return ip === undefined ? [] : [{ ip }];
  });
  if (podIPs.length > 0) out.podIPs = podIPs;
  out.conditions = list(s["conditions"]).flatMap((c) => {
    const o = obj(c);
    const type = str(o?.["type"]);
    const status = str(o?.["status"]);
    if (o === undefined || type === undefined || status === undefined) return [];
    return [{ type, status, ...opt("lastTransitionTime", str(o["lastTransitionTime"])), ...opt("reason", str(o["reason"])), ...opt("message", str(o["message"])) }];
  });
  out.containerStatuses = list(s["containerStatuses"]).flatMap(containerStatus);
  out.initContainerStatuses = list(s["initContainerStatuses"]).flatMap(containerStatus);
  return out;
}

function containerStatus(value: unknown): ContainerStatus[] {
  const o = obj(value);
  const name = str(o?.["name"]);
  if (o === undefined || name === undefined) return [];
  return [
    {
      name,
      state: state(o["state"]),
      lastState: state(o["lastState"]),
      ready: o["ready"] === true,
      restartCount: num(o["restartCount"]) ?? 0,
      image: str(o["image"]) ?? "",
      imageID: str(o["imageID"]) ?? "",
      ...opt("containerID", str(o["containerID"])),
      started: o["started"] === true,
    },
  ];
}

function state(value: unknown): ContainerState {
  const o = obj(value) ?? {};
  const running = obj(o["running"]);
  const terminated = obj(o["terminated"]);
  const waiting = obj(o["waiting"]);
  if (running) return { running: { startedAt: str(running["startedAt"]) ?? "" } };
  if (terminated) {
    return {
      terminated: {
        exitCode: num(terminated["exitCode"]) ?? 0,
        ...opt("reason", str(terminated["reason"])),
        ...opt("message", str(terminated["message"])),
        ...opt("startedAt", str(terminated["startedAt"])),
        ...opt("finishedAt", str(terminated["finishedAt"])),
        ...opt("containerID", str(terminated["containerID"])),
      },
    };
  }
  if (waiting) return { waiting: { ...opt("reason", str(waiting["reason"])), ...opt("message", str(waiting["message"])) } };
  return {};
}

/** `{ key: value }` when value is defined, else `{}` — for optional fields under exactOptionalPropertyTypes. */
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

function obj(v: unknown): Json | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}
function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}
function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}
function list(v: unknown): unknown[] {
  return Array.isArray(v) ? (v as unknown[]) : [];
}
