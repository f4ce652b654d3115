// Which volume goes where in each container (kubelet: makeMounts): volumeMounts with readOnly,
// subPath / subPathExpr (expanded with the container's env) and mountPropagation. Pure.
import { createHash } from "node:crypto";
import type { Container, Pod } from "@natslet/contracts";
import { expand, mappingFor, resolveEnv, type CriMountPropagation, type DownwardContext } from "@natslet/core";
import { subPathProblem } from "./paths.js";

export interface PlannedMount {
  volume: string;
  containerPath: string;
  /** Relative path inside the volume, already expanded and lexically checked. */
  subPath?: string;
  readonly: boolean;
  propagation: CriMountPropagation;
  /** Position in the container's volumeMounts (names the subPath bind dir). */
  index: number;
  /**
   * Names the subPath bind dir below volume-subpaths/<volume>/<container>: the index, and for a
   * subPathExpr also a hash of its expansion. An existing bind is kept (CVE-2021-25741), so an
   * expansion that changed (a label, a pod IP) must get a new dir, not reuse the stale bind.
   */
  bindKey: string;
}

/** A mount the container cannot get; the container waits with CreateContainerConfigError. */
export class MountPlanError extends Error {
  override readonly name = "MountPlanError";
  constructor(
    readonly container: string,
    message: string,
    /** Whether a retry can help without the pod changing (the pod IP is not known yet). */
    readonly retryable = false,
  ) {
    super(message);
  }
}

/** Stands in for the pod IP to see whether an expansion depends on it (TEST-NET-2, never real). */
const PROBE_POD_IP = "198.51.100.77";

const PROPAGATION: Record<string, CriMountPropagation> = {
  None: "PROPAGATION_PRIVATE",
  HostToContainer: "PROPAGATION_HOST_TO_CONTAINER",
  Bidirectional: "PROPAGATION_BIDIRECTIONAL",
};

/**
 * The mounts of every container and init container by name. `forcedReadOnly` names volumes
 * mounted read-only whatever the pod says (configMap, secret, downwardAPI, projected: the
 * kubelet's ReadOnlyAPIDataVolumes).
 */
export function planMounts(
  pod: Pod,
  volumeNames: ReadonlySet<string>,
  forcedReadOnly: ReadonlySet<string>,
  ctx: DownwardContext,
  /** Only these containers (default: all). */
  only?: ReadonlySet<string>,
): Record<string, PlannedMount[]> {
  const out: Record<string, PlannedMount[]> = {};
  for (const container of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    if (only !== undefined && !only.has(container.name)) continue;
    out[container.name] = (container.volumeMounts ?? []).map((m, index) => {
      if (!volumeNames.has(m.name)) throw new MountPlanError(container.name, `cannot find volume "${m.name}" to mount into container "${container.name}"`);
      const subPath = m.subPathExpr ? expandSubPathExpr(m.subPathExpr, pod, container, ctx) : m.subPath;
      if (subPath !== undefined && subPath !== "") {
        const problem = subPathProblem(subPath);
        if (problem) throw new MountPlanError(container.name, `failed to prepare subPath for volumeMount "${m.name}" of container "${container.name}": ${problem}`);
      }
      const propagation = PROPAGATION[m.mountPropagation ?? "None"] ?? "PROPAGATION_PRIVATE";
      if (propagation === "PROPAGATION_BIDIRECTIONAL" && !isPrivileged(container)) {
        throw new MountPlanError(container.name, `Bidirectional mount propagation is available only to privileged containers (volumeMount "${m.name}")`);
      }
      return {
        volume: m.name,
        containerPath: m.mountPath,
        ...(subPath !== undefined && subPath !== "" ? { subPath } : {}),
        readonly: m.readOnly === true || forcedReadOnly.has(m.name),
        propagation,
        index,
        bindKey: m.subPathExpr && subPath !== undefined && subPath !== "" ? `${index}-${createHash("sha256").update(subPath).digest("hex").slice(0, 16)}` : String(index),
      };
    });
  }
  return out;
}

/**
 * $(VAR) in subPathExpr, from the container's env: values and the downward API only (the
 * API server allows nothing else to matter here; ConfigMap/Secret refs are left out).
 */
export function expandSubPathExpr(expr: string, pod: Pod, container: Container, ctx: DownwardContext): string {
  const expanded = expandWith(expr, pod, container, ctx);
  // Before the sandbox exists the pod IP is unknown: expanding it as "" would bind the whole
  // volume. Whether the result depends on it is seen by expanding with a stand-in IP as well.
  if (ctx.podIps.length === 0 && expandWith(expr, pod, container, { ...ctx, podIps: [PROBE_POD_IP] }) !== expanded) {
    throw new MountPlanError(container.name, `subPathExpr "${expr}" of container "${container.name}" needs the pod IP, which is not known yet`, true);
  }
  return expanded;
}

function expandWith(expr: string, pod: Pod, container: Container, ctx: DownwardContext): string {
  const env = (container.env ?? []).filter((e) => !e.valueFrom?.configMapKeyRef && !e.valueFrom?.secretKeyRef);
  const resolved = resolveEnv(pod, { ...container, env }, ctx);
  if (!resolved.ok) throw new MountPlanError(container.name, `subPathExpr "${expr}": ${resolved.message}`);
  return expand(expr, mappingFor(new Map(resolved.envs.map((e) => [e.key, e.value]))));
}

function isPrivileged(container: Container): boolean {
  return (container.securityContext as { privileged?: unknown } | undefined)?.privileged === true;
}
