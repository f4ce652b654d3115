// imagePullSecrets → CRI auth, with the kubelet's keyring rules (pkg/credentialprovider):
// a config key matches an image when the hosts match (a `*` label matches one DNS label), the
// ports are equal, and the key's path is a prefix of the image's repository path. More specific
// keys come first; Docker Hub has several spellings that all mean one registry.
import type { ImageAuth } from "@natslet/contracts";
import { DOCKER_HUB, parseImage } from "./reference.js";

export interface RegistryCredential {
  /** The config key, normalised: host[:port][/path], Docker Hub as "docker.io". */
  key: string;
  auth: ImageAuth;
  /** The Secret it came from (recorded with the pulls it made; see pull-records.ts). */
  source?: SecretSource;
}

export interface SecretSource {
  namespace: string;
  name: string;
  uid: string;
}

/** Secret types and their data keys (Kubernetes: SecretTypeDockerConfigJson, SecretTypeDockercfg). */
export const DOCKER_CONFIG_JSON = { type: "kubernetes.io/dockerconfigjson", key: ".dockerconfigjson" } as const;
export const DOCKERCFG = { type: "kubernetes.io/dockercfg", key: ".dockercfg" } as const;

/** A Secret as the image-manager needs it: type and base64 data, as the API server returns it. */
export interface PullSecret {
  name: string;
  namespace?: string;
  uid?: string;
  type?: string;
  data?: Record<string, string>;
}

export class InvalidPullSecretError extends Error {
  override readonly name = "InvalidPullSecretError";
}

/** The credentials of one pull secret; the wrong type or bad JSON is an InvalidPullSecretError. */
export function credentialsOfSecret(secret: PullSecret): RegistryCredential[] {
  const data = secret.data ?? {};
  let text: string | undefined;
  let nested: boolean;
  if (secret.type === DOCKER_CONFIG_JSON.type && data[DOCKER_CONFIG_JSON.key] !== undefined) {
    text = Buffer.from(data[DOCKER_CONFIG_JSON.key] ?? "", "base64").toString("utf8");
    nested = true;
  } else if (secret.type === DOCKERCFG.type && data[DOCKERCFG.key] !== undefined) {
    text = Buffer.from(data[DOCKERCFG.key] ?? "", "base64").toString("utf8");
    nested = false;
  } else {
    throw new InvalidPullSecretError(`secret "${secret.name}" is not of type ${DOCKER_CONFIG_JSON.type} or ${DOCKERCFG.type} with its data key`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new InvalidPullSecretError(`secret "${secret.name}": ${(err as Error).message}`);
  }
  const auths = nested ? (parsed as { auths?: unknown } | null)?.auths : parsed;
  if (typeof auths !== "object" || auths === null) throw new InvalidPullSecretError(`secret "${secret.name}" has no auths`);
  const source: SecretSource = { namespace: secret.namespace ?? "", name: secret.name, uid: secret.uid ?? "" };
  return credentialsOfConfig(auths as Record<string, unknown>).map((c) => ({ ...c, source }));
}

/** The entries of a docker config `auths` object. Entries that are not objects are skipped. */
export function credentialsOfConfig(auths: Record<string, unknown>): RegistryCredential[] {
  const out: RegistryCredential[] = [];
  for (const [rawKey, value] of Object.entries(auths)) {
    if (typeof value !== "object" || value === null) continue;
    const entry = value as Record<string, unknown>;
    const text = (k: string): string | undefined => {
      const v = entry[k];
      return typeof v === "string" && v !== "" ? v : undefined;
    };
    let username = text("username");
    let password = text("password");
    const encoded = text("auth");
    if (encoded !== undefined && username === undefined) {
      // docker config: auth = base64("user:password"), the password may contain ':'.
      const decoded = Buffer.from(encoded, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon > 0) {
        username = decoded.slice(0, colon);
        password = decoded.slice(colon + 1);
      }
    }
    const key = normaliseKey(rawKey);
    if (key === "") continue;
    const identityToken = text("identitytoken");
    const registryToken = text("registrytoken");
    // No serverAddress: containerd 1.6 parses it as a URL and compares its host with the
    // endpoint's (registry-1.docker.io for docker.io), so a bare key would only break the match.
    const auth: ImageAuth = {
      ...(username !== undefined ? { username } : {}),
      ...(password !== undefined ? { password } : {}),
      ...(encoded !== undefined ? { auth: encoded } : {}),
      ...(identityToken !== undefined ? { identityToken } : {}),
      ...(registryToken !== undefined ? { registryToken } : {}),
    };
    out.push({ key, auth });
  }
  return out;
}

/** "https://index.docker.io/v1/" → "docker.io"; "http://host:5000/path/" → "host:5000/path". */
export function normaliseKey(key: string): string {
  let k = key.trim().replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").replace(/\/+$/, "");
  const slash = k.indexOf("/");
  let host = (slash >= 0 ? k.slice(0, slash) : k).toLowerCase();
  let path = slash >= 0 ? k.slice(slash + 1) : "";
  if (host === "index.docker.io" || host === "registry-1.docker.io" || host === DOCKER_HUB) {
    host = DOCKER_HUB;
    // The legacy Docker Hub key names the API version, not a repository path.
    if (path === "v1" || path === "v2") path = "";
  }
  k = path === "" ? host : `${host}/${path}`;
  return k;
}

/**
 * The credentials to try for `image`, most specific key first (kubelet: the keyring's index is
 * sorted in reverse, so "host/a/b" is tried before "host/a" and before "host").
 */
export function matchingCredentials(image: string, credentials: readonly RegistryCredential[]): RegistryCredential[] {
  const ref = parseImage(image);
  const target = `${ref.domain}/${ref.path}`;
  return credentials
    .filter((c) => keyMatches(c.key, target))
    .sort((a, b) => b.key.length - a.key.length || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
}

/** kubelet URLsMatch: glob host labels, equal ports, key path a prefix of the image path. */
export function keyMatches(key: string, target: string): boolean {
  const [keyHost, keyPath] = splitHostPath(key);
  const [targetHost, targetPath] = splitHostPath(target);
  const [keyName, keyPort] = splitPort(keyHost);
  const [targetName, targetPort] = splitPort(targetHost);
  if (keyPort !== targetPort) return false;
  const keyLabels = keyName.split(".");
  const targetLabels = targetName.split(".");
  if (keyLabels.length !== targetLabels.length) return false;
  for (let i = 0; i < keyLabels.length; i++) {
    if (!globMatch(keyLabels[i] ?? "", targetLabels[i] ?? "")) return false;
  }
  if (keyPath === "") return true;
  return targetPath === keyPath || targetPath.startsWith(`${keyPath}/`) || targetPath.startsWith(keyPath);
}

function splitHostPath(s: string): [string, string] {
  const slash = s.indexOf("/");
  return slash >= 0 ? [s.slice(0, slash).toLowerCase(), s.slice(slash + 1)] : [s.toLowerCase(), ""];
}

function splitPort(host: string): [string, string] {
  const m = /^(.*?)(?::(\d+))?$/.exec(host);
  return [m?.[1] ?? host, m?.[2] ?? ""];
}

/** A `*` matches any run of characters inside one label (filepath.Match on a label). */
function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(`^${pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^.]*")}$`);
  return re.test(value);
}
