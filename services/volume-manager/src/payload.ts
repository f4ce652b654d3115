// What files a configMap, secret, downwardAPI or projected volume holds (kubelet: MakePayload of
// each plugin, fed to the AtomicWriter). Pure: the caller fetched the objects and tokens.
import type { DownwardApiFile, KeyToPath, Pod, Volume } from "@natslet/contracts";
import { DownwardApiError, fieldRefValue, QuantityError, resourceFieldRefValue, type DownwardContext } from "@natslet/core";
import { payloadPathProblem } from "./paths.js";

/** The kubelet's default file mode for these volumes (0644). */
export const DEFAULT_MODE = 0o644;

export interface PayloadFile {
  content: Buffer;
  mode: number;
}
/** Relative path in the volume → file. */
export type Payload = Map<string, PayloadFile>;

/** A ConfigMap's data + binaryData, or a Secret's decoded data; null = not found. */
export type FetchedData = ReadonlyMap<string, Buffer> | null;

export interface FetchedSources {
  configMaps: ReadonlyMap<string, FetchedData>;
  secrets: ReadonlyMap<string, FetchedData>;
  /** Service account tokens by tokenKey(audience, expirationSeconds). */
  tokens: ReadonlyMap<string, string>;
}

/** A volume that cannot be set up; the message is what the pod's Event shows after the kubelet's prefix. */
export class VolumeSourceError extends Error {
  override readonly name = "VolumeSourceError";
  constructor(
    message: string,
    /** Whether a retry can help without the pod changing (a missing object may be created). */
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface ObjectRef {
  name: string;
  optional: boolean;
}
export interface TokenRef {
  audience: string;
  expirationSeconds: number;
}
export interface VolumeReferences {
  configMaps: ObjectRef[];
  secrets: ObjectRef[];
  tokens: TokenRef[];
}

/** The API server's default for serviceAccountToken.expirationSeconds. */
export const DEFAULT_TOKEN_EXPIRATION_SECONDS = 3600;

export const tokenKey = (t: TokenRef): string => `${t.audience}|${t.expirationSeconds}`;

/** The objects and tokens a volume reads from the API server. */
export function volumeReferences(volume: Volume): VolumeReferences {
  const refs: VolumeReferences = { configMaps: [], secrets: [], tokens: [] };
  if (volume.configMap) refs.configMaps.push({ name: volume.configMap.name ?? "", optional: volume.configMap.optional === true });
  if (volume.secret) refs.secrets.push({ name: volume.secret.secretName ?? "", optional: volume.secret.optional === true });
  for (const source of volume.projected?.sources ?? []) {
    if (source.configMap) refs.configMaps.push({ name: source.configMap.name ?? "", optional: source.configMap.optional === true });
    if (source.secret) refs.secrets.push({ name: source.secret.name ?? "", optional: source.secret.optional === true });
    if (source.serviceAccountToken) {
      refs.tokens.push({
        audience: source.serviceAccountToken.audience ?? "",
        expirationSeconds: source.serviceAccountToken.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS,
      });
    }
  }
  return refs;
}

/** The files of an atomic-writer volume (configMap, secret, downwardAPI, projected). */
export function volumePayload(volume: Volume, pod: Pod, sources: FetchedSources, ctx: DownwardContext): Payload {
  const payload: Payload = new Map();
  if (volume.configMap) {
    const s = volume.configMap;
    addKeys(payload, "configmap", s.name ?? "", sources.configMaps.get(s.name ?? ""), s.items, s.optional === true, mode(s.defaultMode));
  } else if (volume.secret) {
    const s = volume.secret;
    addKeys(payload, "secret", s.secretName ?? "", sources.secrets.get(s.secretName ?? ""), s.items, s.optional === true, mode(s.defaultMode));
  } else if (volume.downwardAPI) {
    addDownward(payload, volume.downwardAPI.items ?? [], mode(volume.downwardAPI.defaultMode), pod, ctx);
  } else if (volume.projected) {
    const defaultMode = mode(volume.projected.defaultMode);
    for (const source of volume.projected.sources ?? []) {
      if (source.configMap) {
        const s = source.configMap;
        addKeys(payload, "configmap", s.name ?? "", sources.configMaps.get(s.name ?? ""), s.items, s.optional === true, defaultMode);
      } else if (source.secret) {
        const s = source.secret;
        addKeys(payload, "secret", s.name ?? "", sources.secrets.get(s.name ?? ""), s.items, s.optional === true, defaultMode);
      } else if (source.downwardAPI) {
        addDownward(payload, source.downwardAPI.items ?? [], defaultMode, pod, ctx);
      } else if (source.serviceAccountToken) {
        const t = source.serviceAccountToken;
        const key = tokenKey({ audience: t.audience ?? "", expirationSeconds: t.expirationSeconds ?? DEFAULT_TOKEN_EXPIRATION_SECONDS });
        const token = sources.tokens.get(key);
        if (token === undefined) throw new VolumeSourceError(`failed to fetch token for audience "${t.audience ?? ""}"`, true);
        put(payload, t.path, { content: Buffer.from(token), mode: defaultMode });
      } else if (source.clusterTrustBundle) {
        throw new VolumeSourceError("clusterTrustBundle projections are not supported by natslet", false);
      }
    }
  }
  return payload;
}

function mode(m: number | undefined): number {
  return m === undefined ? DEFAULT_MODE : m & 0o777;
}

/**
 * Adds a file. A path given twice (two projected sources with the same key, say) is not an
 * error: the later one wins, as in the kubelet (projected.collectData merges each source's
 * payload into one map). Explicit duplicate item paths are refused by the API server already.
 */
function put(payload: Payload, path: string, file: PayloadFile): void {
  const problem = payloadPathProblem(path);
  if (problem) throw new VolumeSourceError(problem, false);
  payload.set(path, file);
}

/** Keys of a ConfigMap or Secret as files: all keys, or the listed items (kubelet: MakePayload). */
function addKeys(
  payload: Payload,
  kind: "configmap" | "secret",
  name: string,
  data: FetchedData | undefined,
  items: readonly KeyToPath[] | undefined,
  optional: boolean,
  defaultMode: number,
): void {
  if (data === undefined || data === null) {
    if (optional) return;
    throw new VolumeSourceError(`${kind} "${name}" not found`, true);
  }
  if (items === undefined || items.length === 0) {
    for (const [key, content] of data) put(payload, key, { content, mode: defaultMode });
    return;
  }
  for (const item of items) {
    const content = data.get(item.key);
    if (content === undefined) {
      if (optional) continue;
      const what = kind === "configmap" ? "configmap references non-existent config key" : "references non-existent secret key";
      throw new VolumeSourceError(`${what}: ${item.key}`, true);
    }
    put(payload, item.path, { content, mode: item.mode === undefined ? defaultMode : item.mode & 0o777 });
  }
}

function addDownward(payload: Payload, items: readonly DownwardApiFile[], defaultMode: number, pod: Pod, ctx: DownwardContext): void {
  for (const item of items) {
    const fileMode = item.mode === undefined ? defaultMode : item.mode & 0o777;
    put(payload, item.path, { content: Buffer.from(downwardValue(item, pod, ctx)), mode: fileMode });
  }
}

function downwardValue(item: DownwardApiFile, pod: Pod, ctx: DownwardContext): string {
  try {
    if (item.fieldRef) {
      const path = item.fieldRef.fieldPath;
      if (path === "metadata.labels") return formatMap(pod.metadata.labels);
      if (path === "metadata.annotations") return formatMap(pod.metadata.annotations);
      return fieldRefValue(path, pod, ctx);
    }
    if (item.resourceFieldRef) {
      const containerName = item.resourceFieldRef.containerName ?? "";
      const container = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((c) => c.name === containerName);
      if (container === undefined) throw new DownwardApiError(`container "${containerName}" not found in pod`);
      return resourceFieldRefValue(item.resourceFieldRef, pod, container, ctx);
    }
  } catch (err) {
    if (err instanceof DownwardApiError || err instanceof QuantityError) throw new VolumeSourceError(err.message, false);
    throw err;
  }
  throw new VolumeSourceError(`downwardAPI item "${item.path}" has neither fieldRef nor resourceFieldRef`, false);
}

/** key="value" lines sorted by key (kubelet: fieldpath.FormatMap, Go %q quoting). */
export function formatMap(map: Readonly<Record<string, string>> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(map?.[k] ?? "")}`)
    .join("\n");
}
