// Reads what configMap, secret and projected volumes hold from the API server: ConfigMaps,
// Secrets, and service account tokens through the TokenRequest API (bound to the pod, renewed
// at 80% of their lifetime like the kubelet's token manager). With `watch` options, ConfigMaps
// and Secrets the set-up pods reference are watched (watch-cache.ts) and read from there once in
// sync; a GET stays the answer whenever the watch cannot give one.
import { ApiException, CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import type { Pod } from "@natslet/contracts";
import type { Logger } from "@natslet/telemetry";
import { tokenKey, type FetchedData, type FetchedSources, type VolumeReferences, VolumeSourceError } from "./payload.js";
import { fetchedDataOf, SourceRefCounter, type SourceKey, type SourceKind } from "./source-refs.js";
import { tokenNeedsRefresh, type IssuedToken } from "./token-timing.js";
import { WatchCache } from "./watch-cache.js";

interface CachedToken extends IssuedToken {
  token: string;
}

export interface SourceWatchOptions {
  readonly log: Logger;
  /** A watched object changed: the uids of the set-up pods that reference it. */
  readonly onChange: (uids: string[]) => void;
  /** Number of running watches (metrics). */
  readonly onWatchCount?: (count: number) => void;
  /** Server-side watch timeout floor in seconds (Reflector's minWatchTimeoutSeconds). */
  readonly minWatchTimeoutSeconds?: number;
}

export interface FetchOptions {
  /**
   * Confirm a "does not exist" from the watch with a GET. For a pod not set up yet: an object
   * created a moment ago may not have reached the watch, and the pod would wait for the next
   * retry. A set-up pod needs no such check: the watch's ADDED re-reads it at once.
   */
  readonly confirmMissing?: boolean;
}

/** Where a ConfigMap/Secret read was answered: the watch cache or the API server (metrics). */
export type ReadSource = "cache" | "api";

export class SourceReader {
  readonly #core: CoreV1Api;
  /** Tokens by pod uid, then tokenKey. */
  readonly #tokens = new Map<string, Map<string, CachedToken>>();
  readonly #watches: WatchCache | undefined;
  readonly #refs = new SourceRefCounter();
  /** Whether the last API server request got an answer (404 included): for /readyz. */
  healthy = true;
  /** Called for every ConfigMap/Secret read, with where it was answered (metrics). */
  readonly #onRead: (kind: SourceKind, source: ReadSource) => void;

  constructor(
    kc: KubeConfig,
    private readonly clock: () => number = Date.now,
    opts: { watch?: SourceWatchOptions; onRead?: (kind: SourceKind, source: ReadSource) => void } = {},
  ) {
    this.#core = kc.makeApiClient(CoreV1Api);
    this.#onRead = opts.onRead ?? (() => undefined);
    const watch = opts.watch;
    this.#watches =
      watch &&
      new WatchCache({
        kc,
        log: watch.log,
        onChange: (key) => {
          const uids = this.#refs.podsOf(key);
          if (uids.length > 0) watch.onChange(uids);
        },
        ...(watch.onWatchCount ? { onWatchCount: watch.onWatchCount } : {}),
        ...(watch.minWatchTimeoutSeconds !== undefined ? { minWatchTimeoutSeconds: watch.minWatchTimeoutSeconds } : {}),
      });
  }

  /**
   * The pod (set up, or being set up) now references exactly `keys`: watches start for keys
   * no pod referenced and stop for keys no pod references any more. No-op without `watch`.
   */
  track(uid: string, keys: readonly SourceKey[]): void {
    if (!this.#watches) return;
    const { started, stopped } = this.#refs.set(uid, keys);
    for (const key of started) this.#watches.start(key);
    for (const key of stopped) this.#watches.stop(key);
  }

  /** Stops every watch (service shutdown). */
  async close(): Promise<void> {
    await this.#watches?.close();
  }

  /** Everything `refs` names, fetched fresh (tokens from the cache while still fresh). */
  async fetch(pod: Pod, refs: VolumeReferences, opts: FetchOptions = {}): Promise<FetchedSources> {
    const ns = pod.metadata.namespace;
    const configMaps = new Map<string, FetchedData>();
    const secrets = new Map<string, FetchedData>();
    const tokens = new Map<string, string>();
    for (const ref of refs.configMaps) {
      if (!configMaps.has(ref.name)) configMaps.set(ref.name, await this.#read({ kind: "configmap", namespace: ns, name: ref.name }, opts));
    }
    for (const ref of refs.secrets) {
      if (!secrets.has(ref.name)) secrets.set(ref.name, await this.#read({ kind: "secret", namespace: ns, name: ref.name }, opts));
    }
    for (const ref of refs.tokens) {
      const key = tokenKey(ref);
      if (!tokens.has(key)) tokens.set(key, await this.#token(pod, ref.audience, ref.expirationSeconds));
    }
    return { configMaps, secrets, tokens };
  }

  /**
   * Health after a failed request: a 4xx answer is our request's problem (not found,
   * forbidden, invalid), the API server is fine; a 5xx or a transport failure (refused, reset,
   * timed out, TLS) is the API server's. An error raised on this side before anything was sent
   * (client-side validation) says nothing about the API server and leaves the health as it was.
   */
  #noteFailure(err: unknown): void {
    this.healthy = apiHealthAfter(err, this.healthy);
  }

  /** The pod is gone: its tokens, and its references (the watches only it used stop). */
  forget(uid: string): void {
    this.#tokens.delete(uid);
    this.track(uid, []);
  }

  /** From the watch when it is in sync (and can answer), else a GET. */
  async #read(key: SourceKey, opts: FetchOptions): Promise<FetchedData> {
    const cached = this.#watches?.read(key);
    if (cached !== undefined && (cached.object !== null || !opts.confirmMissing)) {
      const data = cached.object === null ? null : fetchedDataOf(key.kind, cached.object);
      if (data !== undefined) {
        this.#onRead(key.kind, "cache");
        return data;
      }
    }
    this.#onRead(key.kind, "api");
    return key.kind === "configmap" ? this.#configMap(key.namespace, key.name) : this.#secret(key.namespace, key.name);
  }

  async #configMap(namespace: string, name: string): Promise<FetchedData> {
    try {
      const cm = await this.#core.readNamespacedConfigMap({ name, namespace });
      this.healthy = true;
      const data = new Map<string, Buffer>();
      for (const [k, v] of Object.entries(cm.data ?? {})) data.set(k, Buffer.from(v));
      for (const [k, v] of Object.entries(cm.binaryData ?? {})) data.set(k, Buffer.from(v, "base64"));
      return data;
    } catch (err) {
      this.#noteFailure(err);
      return notFoundAsNull(err, "configmap", name);
    }
  }

  async #secret(namespace: string, name: string): Promise<FetchedData> {
    try {
      const secret = await this.#core.readNamespacedSecret({ name, namespace });
      this.healthy = true;
      const data = new Map<string, Buffer>();
      for (const [k, v] of Object.entries(secret.data ?? {})) data.set(k, Buffer.from(v, "base64"));
      // stringData is write-only in the API; a server never returns it, but be exact if it did.
      for (const [k, v] of Object.entries(secret.stringData ?? {})) data.set(k, Buffer.from(v));
      return data;
    } catch (err) {
      this.#noteFailure(err);
      return notFoundAsNull(err, "secret", name);
    }
  }

  async #token(pod: Pod, audience: string, expirationSeconds: number): Promise<string> {
    const uid = pod.metadata.uid;
    const key = tokenKey({ audience, expirationSeconds });
    const perPod = this.#tokens.get(uid) ?? new Map<string, CachedToken>();
    this.#tokens.set(uid, perPod);
    const cached = perPod.get(key);
    const now = this.clock();
    if (cached && !tokenNeedsRefresh(cached, now)) return cached.token;
    const serviceAccount = pod.spec.serviceAccountName || "default";
    try {
      const reply = await this.#core.createNamespacedServiceAccountToken({
        name: serviceAccount,
        namespace: pod.metadata.namespace,
        body: {
          spec: {
            audiences: audience === "" ? [] : [audience],
            expirationSeconds,
            boundObjectRef: { apiVersion: "v1", kind: "Pod", name: pod.metadata.name, uid },
          },
        },
      });
      this.healthy = true;
      const token = reply.status?.token ?? "";
      if (token === "") throw new VolumeSourceError(`TokenRequest for service account "${serviceAccount}" returned no token`, true);
      const expiresAtMs = reply.status?.expirationTimestamp ? new Date(reply.status.expirationTimestamp).getTime() : now + expirationSeconds * 1000;
      perPod.set(key, { token, issuedAtMs: now, expiresAtMs });
      return token;
    } catch (err) {
      if (!(err instanceof VolumeSourceError)) this.#noteFailure(err);
      // A token still valid is better than none while the API server is unreachable.
      if (cached && now < cached.expiresAtMs) return cached.token;
      if (err instanceof VolumeSourceError) throw err;
      throw new VolumeSourceError(`failed to fetch token: ${apiMessage(err)}`, true);
    }
  }
}

/** The API server's health after a failed request (see SourceReader.#noteFailure). Pure. */
export function apiHealthAfter(err: unknown, before: boolean): boolean {
  if (err instanceof ApiException) return err.code < 500;
  if (isTransportError(err)) return false;
  return before;
}

/** A failure to reach the API server at all (node's fetch: a TypeError with a system error cause, or a system error). */
function isTransportError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === "string" && /^(E[A-Z]+|UND_ERR_[A-Z_]+|ERR_TLS_[A-Z_]+|CERT_[A-Z_]+|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_[A-Z_]+)$/.test(code)) return true;
    if (e.name === "FetchError" || e.name === "AbortError") return true;
  }
  return false;
}

function notFoundAsNull(err: unknown, kind: string, name: string): null {
  if (err instanceof ApiException && err.code === 404) return null;
  throw new VolumeSourceError(`cannot read ${kind} "${name}": ${apiMessage(err)}`, true);
}

function apiMessage(err: unknown): string {
  if (err instanceof ApiException) {
    const body = err.body as unknown;
    const parsed = typeof body === "string" ? safeJson(body) : body;
    const message = (parsed as { message?: unknown } | undefined)?.message;
    return typeof message === "string" ? message : `HTTP ${err.code}`;
  }
  return err instanceof Error ? err.message : String(err);
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
