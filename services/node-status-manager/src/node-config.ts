// The node's configured identity: labels, taints and reserved resources from their setting
// strings, validated the way the API server would, so a typo fails at start with its setting's
// name instead of as a 422 from the API server later.
import { parseBytes, parseCpuMillis as parseMillicores } from "@natslet/core";

export type TaintEffect = "NoSchedule" | "PreferNoSchedule" | "NoExecute";
const EFFECTS: readonly TaintEffect[] = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
}

/** Reserved resources (kubelet --system-reserved / --kube-reserved). */
export interface Reserved {
  cpuMillis: number;
  memoryBytes: number;
  ephemeralStorageBytes: number;
  pids: number;
}

export const NO_RESERVATION: Reserved = { cpuMillis: 0, memoryBytes: 0, ephemeralStorageBytes: 0, pids: 0 };

export class NodeConfigError extends Error {
  override readonly name = "NodeConfigError";
}

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A qualified name (labels and taint keys): optional DNS-subdomain prefix + "/" + name. */
export function checkQualifiedName(key: string): string | undefined {
  const parts = key.split("/");
  if (parts.length > 2) return `"${key}" has more than one "/"`;
  const [prefix, name] = parts.length === 2 ? [parts[0] ?? "", parts[1] ?? ""] : ["", parts[0] ?? ""];
  if (parts.length === 2 && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `prefix of "${key}" must be a DNS subdomain (lower case, at most 253 characters)`;
  }
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) {
    return `name part of "${key}" must be 1-63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric`;
  }
  return undefined;
}

export function checkLabelValue(value: string): string | undefined {
  if (value === "") return undefined;
  if (value.length > 63 || !NAME.test(value)) return `value "${value}" must be at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric`;
  return undefined;
}

function items(text: string): string[] {
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/** "k=v,k2=v2" */
export function parseLabels(setting: string, text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const item of items(text)) {
    const eq = item.indexOf("=");
    if (eq < 0) throw new NodeConfigError(`${setting}: "${item}" must be key=value`);
    const key = item.slice(0, eq);
    const value = item.slice(eq + 1);
    const problem = checkQualifiedName(key) ?? checkLabelValue(value);
    if (problem !== undefined) throw new NodeConfigError(`${setting}: ${problem}`);
    labels[key] = value;
  }
  return labels;
}

/** "key=value:Effect,key:Effect" (kubelet --register-with-taints). */
export function parseTaints(setting: string, text: string): Taint[] {
  const taints: Taint[] = [];
  for (const item of items(text)) {
    const colon = item.lastIndexOf(":");
    if (colon < 0) throw new NodeConfigError(`${setting}: "${item}" must be key=value:Effect or key:Effect`);
    const effect = item.slice(colon + 1);
    if (!(EFFECTS as readonly string[]).includes(effect)) {
      throw new NodeConfigError(`${setting}: effect "${effect}" of "${item}" must be one of ${EFFECTS.join(", ")}`);
    }
    const keyValue = item.slice(0, colon);
    const eq = keyValue.indexOf("=");
    const key = eq < 0 ? keyValue : keyValue.slice(0, eq);
    const value = eq < 0 ? undefined : keyValue.slice(eq + 1);
    const problem = checkQualifiedName(key) ?? (value === undefined ? undefined : checkLabelValue(value));
    if (problem !== undefined) throw new NodeConfigError(`${setting}: ${problem}`);
    if (taints.some((t) => t.key === key && t.effect === effect)) throw new NodeConfigError(`${setting}: taint ${key}:${effect} given twice`);
    taints.push({ key, ...(value === undefined || value === "" ? {} : { value }), effect: effect as TaintEffect });
  }
  return taints;
}

/** "cpu=100m,memory=256Mi,ephemeral-storage=1Gi,pid=1000" (kubelet --system-reserved). */
export function parseReserved(setting: string, text: string): Reserved {
  const reserved = { ...NO_RESERVATION };
  for (const item of items(text)) {
    const [name, amount, extra] = item.split("=");
    if (name === undefined || amount === undefined || extra !== undefined) throw new NodeConfigError(`${setting}: "${item}" must be resource=quantity`);
    try {
      switch (name) {
        case "cpu": reserved.cpuMillis = parseMillicores(amount); break;
        case "memory": reserved.memoryBytes = parseBytes(amount); break;
        case "ephemeral-storage": reserved.ephemeralStorageBytes = parseBytes(amount); break;
        case "pid": reserved.pids = parseBytes(amount); break;
        default: throw new NodeConfigError(`${setting}: unknown resource "${name}" (cpu, memory, ephemeral-storage, pid)`);
      }
    } catch (err) {
      if (err instanceof NodeConfigError) throw err;
      throw new NodeConfigError(`${setting}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return reserved;
}
