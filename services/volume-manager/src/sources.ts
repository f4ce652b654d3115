// Reads what configMap, secret and projected volumes hold from the API server: ConfigMaps,
// Secrets, and service account tokens through the TokenRequest API (bound to the pod, renewed
// at 80% of their lifetime like the kubelet's token manager).
import { ApiException, CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import type { Pod } from "@natslet/contracts";
import { tokenKey, type FetchedData, type FetchedSources, type VolumeReferences, VolumeSourceError } from "./payload.js";
import { tokenNeedsRefresh, type IssuedToken } from "./token-timing.js";

interface CachedToken extends IssuedToken {
  token: string;
}

export class SourceReader {
  readonly #core: CoreV1Api;
  /** Tokens by pod uid, then tokenKey. */
  readonly #tokens = new Map<string, Map<string, CachedToken>>();
  /** Whether the last API server request got an answer (404 included): for /readyz. */
  healthy = true;

  constructor(
    kc: KubeConfig,
    private readonly clock: () => number = Date.now,
  ) {
    this.#core = kc.makeApiClient(CoreV1Api);
  }

  /** Everything `refs` names, fetched fresh (tokens from the cache while still fresh). */
  async fetch(pod: Pod, refs: VolumeReferences): Promise<FetchedSources> {
    const ns = pod.metadata.namespace;
    const configMaps = new Map<string, FetchedData>();
    const secrets = new Map<string, FetchedData>();
    const tokens = new Map<string, string>();
    for (const ref of refs.configMaps) {
      if (!configMaps.has(ref.name)) configMaps.set(ref.name, await this.#configMap(ns, ref.name));
    }
    for (const ref of refs.secrets) {
      if (!secrets.has(ref.name)) secrets.set(ref.name, await this.#secret(ns, ref.name));
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

  forget(uid: string): void {
    this.#tokens.delete(uid);
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
