// Which ConfigMaps and Secrets the set-up pods reference, reference-counted by pod (kubelet: the
// watch-based configMap/secret manager's RegisterPod/UnregisterPod). A key gains its watch when
// its first pod references it and loses it when the last one lets go. Pure, table-tested.
import { volumeSchema, type Pod } from "@natslet/contracts";
import type { RawObject } from "@natslet/kube";
import type { FetchedData } from "./payload.js";
import { volumeReferences } from "./payload.js";

export type SourceKind = "configmap" | "secret";

export interface SourceKey {
  readonly kind: SourceKind;
  readonly namespace: string;
  readonly name: string;
}

/** One string per object: "configmap/<ns>/<name>". Names and namespaces never hold "/". */
export const sourceKeyString = (k: SourceKey): string => `${k.kind}/${k.namespace}/${k.name}`;

/** The API collection a watch of `k` lists (restricted to the one name by a field selector). */
export function sourceCollectionPath(k: SourceKey): string {
  const resource = k.kind === "configmap" ? "configmaps" : "secrets";
  return `/api/v1/namespaces/${encodeURIComponent(k.namespace)}/${resource}`;
}

/**
 * Every ConfigMap and Secret the pod's volumes read (configMap, secret and projected sources),
 * once each. Volumes the contract refuses and empty names are left out: their setup fails on
 * its own, and an object without a name cannot be watched.
 */
export function podSourceKeys(pod: Pod): SourceKey[] {
  const namespace = pod.metadata.namespace;
  const seen = new Map<string, SourceKey>();
  for (const [i, raw] of (pod.spec.volumes ?? []).entries()) {
    let refs;
    try {
      refs = volumeReferences(volumeSchema(raw, `spec.volumes[${i}]`));
    } catch {
      continue;
    }
    const add = (kind: SourceKind, name: string) => {
      if (name === "") return;
      const key: SourceKey = { kind, namespace, name };
      seen.set(sourceKeyString(key), key);
    };
    for (const ref of refs.configMaps) add("configmap", ref.name);
    for (const ref of refs.secrets) add("secret", ref.name);
  }
  return [...seen.values()];
}

/** What a change of references means for the watches: keys to start and keys to stop. */
export interface RefChange {
  readonly started: SourceKey[];
  readonly stopped: SourceKey[];
}

/** Keys referenced by pods (uids), with the pods of each key. */
export class SourceRefCounter {
  readonly #byPod = new Map<string, Map<string, SourceKey>>();
  readonly #pods = new Map<string, Set<string>>();

  /** The pod now references exactly `keys` (its earlier set is replaced). */
  set(uid: string, keys: readonly SourceKey[]): RefChange {
    const next = new Map(keys.map((k) => [sourceKeyString(k), k] as const));
    const before = this.#byPod.get(uid) ?? new Map<string, SourceKey>();
    const started: SourceKey[] = [];
    const stopped: SourceKey[] = [];
    for (const [id, key] of next) {
      if (before.has(id)) continue;
      const pods = this.#pods.get(id) ?? new Set<string>();
      if (pods.size === 0) started.push(key);
      pods.add(uid);
      this.#pods.set(id, pods);
    }
    for (const [id, key] of before) {
      if (next.has(id)) continue;
      if (this.#drop(id, uid)) stopped.push(key);
    }
    if (next.size === 0) this.#byPod.delete(uid);
    else this.#byPod.set(uid, next);
    return { started, stopped };
  }

  /** The pod references nothing any more; the keys no other pod references. */
  release(uid: string): SourceKey[] {
    return this.set(uid, []).stopped;
  }

  /** Pods referencing the key. */
  podsOf(key: SourceKey): string[] {
    return [...(this.#pods.get(sourceKeyString(key)) ?? [])];
  }

  /** Keys referenced by at least one pod. */
  get size(): number {
    return this.#pods.size;
  }

  /** Removes one pod from a key; whether that was its last pod. */
  #drop(id: string, uid: string): boolean {
    const pods = this.#pods.get(id);
    if (!pods?.delete(uid)) return false;
    if (pods.size > 0) return false;
    this.#pods.delete(id);
    return true;
  }
}

/**
 * A watched ConfigMap's or Secret's contents as the volume payloads want them (the same as a
 * GET through the typed client gives): ConfigMap data as UTF-8 plus binaryData decoded, Secret
 * data decoded. undefined when the object is not what the API server promises (the caller then
 * reads it with a GET, whose client reports the problem).
 */
export function fetchedDataOf(kind: SourceKind, obj: RawObject): FetchedData | undefined {
  const data = new Map<string, Buffer>();
  const strings = (field: string): Array<[string, string]> | undefined => {
    const value = obj[field];
    if (value === undefined || value === null) return [];
    if (typeof value !== "object" || Array.isArray(value)) return undefined;
    const entries = Object.entries(value as Record<string, unknown>);
    return entries.every((e): e is [string, string] => typeof e[1] === "string") ? entries : undefined;
  };
  if (kind === "configmap") {
    const text = strings("data");
    const binary = strings("binaryData");
    if (text === undefined || binary === undefined) return undefined;
    for (const [k, v] of text) data.set(k, Buffer.from(v));
    for (const [k, v] of binary) data.set(k, Buffer.from(v, "base64"));
    return data;
  }
  const encoded = strings("data");
  if (encoded === undefined) return undefined;
  for (const [k, v] of encoded) data.set(k, Buffer.from(v, "base64"));
  return data;
}

/** metadata.resourceVersion of a watched object ("" for none): what tells a change from a relist of the same version. */
export function resourceVersionOf(obj: RawObject | null): string {
  const metadata = obj?.["metadata"];
  const rv = typeof metadata === "object" && metadata !== null ? (metadata as Record<string, unknown>)["resourceVersion"] : undefined;
  return typeof rv === "string" ? rv : "";
}

/** The object's metadata.name, to keep only the one object a field-selected watch is for. */
export function nameOf(obj: RawObject): string | undefined {
  const metadata = obj["metadata"];
  const name = typeof metadata === "object" && metadata !== null ? (metadata as Record<string, unknown>)["name"] : undefined;
  return typeof name === "string" ? name : undefined;
}
