// A container's environment and its expanded command line. kubelet: kubelet_pods.go
// makeEnvironmentVariables and kubecontainer.ExpandContainerCommandAndArgs.
import type { Container, Pod } from "@natslet/contracts";
import type { CriKeyValue } from "./cri-types.js";
import { DownwardApiError, fieldRefValue, resourceFieldRefValue, type DownwardContext } from "./downward-api.js";
import { expand, mappingFor } from "./expansion.js";
import { QuantityError } from "./quantity.js";

/** Data of a ConfigMap or (decoded) Secret by name; null = fetched and not found. */
export type FetchedObjects = Readonly<Record<string, Readonly<Record<string, string>> | null>>;

export interface EnvContext extends DownwardContext {
  /**
   * ConfigMaps and Secrets of the pod's namespace the caller already fetched (core does no I/O).
   * A reference to one that is not here fails with CreateContainerConfigError; see envReferences.
   */
  configMaps?: FetchedObjects;
  secrets?: FetchedObjects;
  /** Service link variables (FOO_SERVICE_HOST ...), visible to $(VAR) and added last. */
  serviceEnv?: Readonly<Record<string, string>>;
}

/**
 * The environment, or why the container cannot be configured. The reason is the kubelet's
 * waiting reason for the container status.
 */
export type EnvResult =
  | { ok: true; envs: CriKeyValue[] }
  | { ok: false; reason: "CreateContainerConfigError"; message: string };

/** A ConfigMap or Secret the container's env reads; the caller fetches these before resolveEnv. */
export interface EnvReference {
  kind: "ConfigMap" | "Secret";
  name: string;
  optional: boolean;
}

/** Every ConfigMap/Secret the container's env refers to, de-duplicated, in first-use order. */
export function envReferences(container: Container): EnvReference[] {
  const refs = new Map<string, EnvReference>();
  for (const env of container.env ?? []) {
    const cm = env.valueFrom?.configMapKeyRef;
    const secret = env.valueFrom?.secretKeyRef;
    const [kind, sel] = cm ? (["ConfigMap", cm] as const) : secret ? (["Secret", secret] as const) : [];
    if (kind === undefined) continue;
    const key = `${kind}/${sel.name ?? ""}`;
    const optional = sel.optional === true;
    // Optional only if every use is optional: one required use makes the object required.
    const seen = refs.get(key);
    refs.set(key, { kind, name: sel.name ?? "", optional: seen ? seen.optional && optional : optional });
  }
  return [...refs.values()];
}

/**
 * Resolves env in declaration order: a value expands $(VAR) against the variables declared
 * before it and the service variables; valueFrom reads the downward API or a fetched
 * ConfigMap/Secret. A later duplicate replaces the earlier value in place.
 */
export function resolveEnv(pod: Pod, container: Container, ctx: EnvContext): EnvResult {
  const vars = new Map<string, string>();
  const service = new Map(Object.entries(ctx.serviceEnv ?? {}));
  const mapping = mappingFor(vars, service);
  try {
    for (const env of container.env ?? []) {
      const resolved = env.value ? expand(env.value, mapping) : valueFrom(env, pod, container, ctx);
      if (resolved !== undefined) vars.set(env.name, resolved);
    }
  } catch (err) {
    if (err instanceof EnvSourceError || err instanceof DownwardApiError || err instanceof QuantityError) {
      return { ok: false, reason: "CreateContainerConfigError", message: err.message };
    }
    throw err;
  }
  for (const [k, v] of service) if (!vars.has(k)) vars.set(k, v);
  return { ok: true, envs: [...vars].map(([key, value]) => ({ key, value })) };
}

/** command and args with $(VAR) expanded against the resolved environment. */
export function expandCommand(container: Container, envs: readonly CriKeyValue[]): { command: string[]; args: string[] } {
  const mapping = mappingFor(new Map(envs.map((e) => [e.key, e.value])));
  return {
    command: (container.command ?? []).map((s) => expand(s, mapping)),
    args: (container.args ?? []).map((s) => expand(s, mapping)),
  };
}

class EnvSourceError extends Error {}

type EnvVar = NonNullable<Container["env"]>[number];

/** The value of a valueFrom source; undefined = optional and absent, so the variable is skipped. */
function valueFrom(env: EnvVar, pod: Pod, container: Container, ctx: EnvContext): string | undefined {
  const from = env.valueFrom;
  if (from === undefined) return "";
  if (from.fieldRef) return fieldRefValue(from.fieldRef.fieldPath, pod, ctx);
  if (from.resourceFieldRef) return resourceFieldRefValue(from.resourceFieldRef, pod, container, ctx);
  if (from.configMapKeyRef) return keyRefValue("ConfigMap", from.configMapKeyRef, pod, ctx.configMaps);
  if (from.secretKeyRef) return keyRefValue("Secret", from.secretKeyRef, pod, ctx.secrets);
  return "";
}

function keyRefValue(
  kind: "ConfigMap" | "Secret",
  sel: { name?: string; key: string; optional?: boolean },
  pod: Pod,
  fetched: FetchedObjects | undefined,
): string | undefined {
  const name = sel.name ?? "";
  const optional = sel.optional === true;
  const ns = pod.metadata.namespace;
  const lower = kind === "ConfigMap" ? "configmap" : "secret";
  if (fetched === undefined || !(name in fetched)) {
    throw new EnvSourceError(`couldn't get ${kind === "ConfigMap" ? "configMap" : "secret"} ${ns}/${name}: not fetched`);
  }
  const data = fetched[name];
  if (data === null || data === undefined) {
    if (optional) return undefined;
    // The API server's NotFound text, which is what the kubelet shows.
    throw new EnvSourceError(`${lower} "${name}" not found`);
  }
  const v = data[sel.key];
  if (v === undefined) {
    if (optional) return undefined;
    throw new EnvSourceError(`couldn't find key ${sel.key} in ${kind} ${ns}/${name}`);
  }
  return v;
}
