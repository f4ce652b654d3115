// Where a pod's volumes live on the node (the kubelet's layout) and the lexical checks on paths
// that come from the pod spec. Pure: no file system access.
import { isAbsolute, join, normalize, sep } from "node:path";

/** The kubelet's plugin directory names under pods/<uid>/volumes. */
export const PLUGIN_DIRS = {
  emptyDir: "kubernetes.io~empty-dir",
  configMap: "kubernetes.io~configmap",
  secret: "kubernetes.io~secret",
  downwardAPI: "kubernetes.io~downward-api",
  projected: "kubernetes.io~projected",
} as const;
export type PluginKind = keyof typeof PLUGIN_DIRS;

/** A name from the bus that is about to become a path segment and is not a safe one. */
export class UnsafeNameError extends Error {
  override readonly name = "UnsafeNameError";
}

const UID_SEGMENT = /^[A-Za-z0-9-]{1,128}$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** The bind key: a mount's index, optionally followed by '-' and a hash (see PlannedMount.bindKey). */
const BIND_KEY = /^[0-9]{1,5}(-[0-9a-f]{1,64})?$/;

/**
 * Defence in depth behind the contracts' parsers: every name that becomes a path segment here
 * is checked again, so a uid of "../../.." or a volume named "a/b" can never address anything
 * outside its pod's dirs, whichever caller forgot to parse.
 */
function segment(value: string, pattern: RegExp, what: string): string {
  if (!pattern.test(value)) throw new UnsafeNameError(`invalid ${what} ${JSON.stringify(value)}: not a safe path segment`);
  return value;
}

export const podDir = (root: string, uid: string): string => join(root, "pods", segment(uid, UID_SEGMENT, "pod uid"));
export const volumesDir = (root: string, uid: string): string => join(podDir(root, uid), "volumes");
export const volumeDir = (root: string, uid: string, kind: PluginKind, name: string): string =>
  join(volumesDir(root, uid), PLUGIN_DIRS[kind], segment(name, DNS_LABEL, "volume name"));
/**
 * Where a container's subPath is bind-mounted (kubelet: volume-subpaths/<volume>/<container>/<index>;
 * a subPathExpr's key also carries a hash of its expansion, see PlannedMount.bindKey).
 */
export const subPathBindDir = (root: string, uid: string, volume: string, container: string, bindKey: string | number): string =>
  join(
    podDir(root, uid),
    "volume-subpaths",
    segment(volume, DNS_LABEL, "volume name"),
    segment(container, DNS_LABEL, "container name"),
    segment(String(bindKey), BIND_KEY, "subPath bind key"),
  );

/**
 * Why a subPath (after expansion) may not be used, or undefined if it may: it must be relative
 * and must not climb out with `..` (kubelet: validation.validateLocalDescendingPath). Symlinks
 * are checked later, on the real file system.
 */
export function subPathProblem(subPath: string): string | undefined {
  if (isAbsolute(subPath)) return `subPath "${subPath}" must be a relative path`;
  if (subPath.split("/").includes("..")) return `subPath "${subPath}" must not contain '..'`;
  return undefined;
}

/**
 * Why a path inside an atomic-writer volume (a key's `path`) is not allowed: relative, no `..`
 * components, and not starting with `..` (the writer's own `..data` and `..<timestamp>` names).
 */
export function payloadPathProblem(path: string): string | undefined {
  if (path === "") return "path must not be empty";
  if (isAbsolute(path)) return `invalid path "${path}": must be relative`;
  if (path.split("/").includes("..")) return `invalid path "${path}": must not contain '..'`;
  if (path.startsWith("..")) return `invalid path "${path}": must not start with '..'`;
  return undefined;
}

/** Whether `path` is `dir` or below it (both absolute, normalized lexically). */
export function isWithin(dir: string, path: string): boolean {
  const d = normalize(dir).replace(/\/+$/, "");
  const p = normalize(path);
  return p === d || p.startsWith(d + sep);
}

/**
 * Whether a hostPath may be used under the allow-list (NATSLET_HOSTPATH_ALLOW): empty list =
 * every path; otherwise the path must be one of the listed dirs or below one. `..` is resolved
 * lexically first, so "/allowed/../etc" is not below "/allowed".
 */
export function hostPathAllowed(path: string, allowList: readonly string[]): boolean {
  if (allowList.length === 0) return true;
  if (!isAbsolute(path)) return false;
  return allowList.some((dir) => isWithin(dir, path));
}
