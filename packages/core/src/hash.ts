// The container spec hash put on every container (annotation io.kubernetes.container.hash) and
// compared on every sync: a running container whose hash differs from the desired spec's is
// killed and started again. kubelet: pkg/kubelet/container.HashContainer.
import type { Container } from "@natslet/contracts";

/**
 * The fields hashed: everything the CRI container is created from, except `resources`.
 *
 * Why this list:
 * - `resources` is left out so that an in-place resize (InPlacePodVerticalScaling) updates the
 *   container's cgroup instead of restarting it — the kubelet excludes resources for the same reason.
 * - The list is explicit, not "every field of the parsed container": when packages/contracts
 *   learns a new field, hashing it would change every hash and restart every running container
 *   on upgrade (kubernetes#63814). Upstream went further in 1.31 and hashes only name + image,
 *   the one field the API server lets change besides resources; the other fields here are
 *   immutable in a Pod, so in practice an image update is what triggers a restart here too,
 *   and the longer list only guards against a container made from a different spec.
 */
const HASHED_FIELDS = [
  "name", "image", "command", "args", "workingDir", "env", "ports", "volumeMounts",
  "stdin", "stdinOnce", "tty", "securityContext",
] as const satisfies readonly (keyof Container)[];

/** FNV-1a 32-bit of the canonical JSON of the hashed fields, as 8 lowercase hex digits. */
export function containerSpecHash(container: Container): string {
  const picked: Record<string, unknown> = {};
  for (const field of HASHED_FIELDS) {
    const value: unknown = container[field];
    // Absent and empty lists mean the same to the runtime; they must hash the same too.
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    picked[field] = value;
  }
  return fnv1a32(canonicalJson(picked));
}

/** JSON with object keys sorted at every level, so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** FNV-1a, 32 bit, over the UTF-8 bytes of `text` (Go: hash/fnv.New32a). */
export function fnv1a32(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}
