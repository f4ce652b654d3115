// EnsureSandbox, StopSandbox, RemoveSandbox. A sandbox is identified by (pod UID, attempt):
// the labels say the pod, CRI metadata.attempt the attempt, so a retry finds what the first
// try made (DESIGN: every command is idempotent).
import { mkdir } from "node:fs/promises";
import { NatsletError, type Pod, type RuntimeReply, type RuntimeRequest } from "@natslet/contracts";
import { labelKeys, podLogDirectory, sandboxConfig } from "@natslet/core";
import { isNotFound, type PodSandbox } from "@natslet/cri";
import { isNameReserved, toNatsletError } from "./cri-errors.js";
import { managedSelector } from "./observe-map.js";
import type { Runtime } from "./runtime.js";

export async function ensureSandbox(rt: Runtime, req: RuntimeRequest<"EnsureSandbox">): Promise<RuntimeReply<"EnsureSandbox">> {
  const { pod, attempt } = req;
  const uid = pod.metadata.uid;
  return rt.locks.run(`sandbox/${uid}/${attempt}`, async () => {
    const existing = await findSandbox(rt, uid, attempt);
    if (existing) return { sandboxId: existing.id, ...(await sandboxIp(rt, existing.id)), created: false };

    // containerd writes container logs below it but does not create it.
    await mkdir(podLogDirectory(pod, rt.podLogsDir), { recursive: true, mode: 0o755 });
    let sandboxId: string;
    try {
      ({ podSandboxId: sandboxId } = await rt.cri.runPodSandbox({ config: sandboxConfig(pod, { attempt, podLogsRoot: rt.podLogsDir }) }));
    } catch (err) {
      if (!isNameReserved(err)) throw toNatsletError(err, "CreatePodSandboxError");
      // Another request (another replica, or one that timed out here) made or is making it.
      const raced = await findSandbox(rt, uid, attempt);
      if (!raced) throw new NatsletError("Unavailable", `sandbox ${uid}/${attempt} is being created by another request`, { cause: err });
      return { sandboxId: raced.id, ...(await sandboxIp(rt, raced.id)), created: false };
    }
    return { sandboxId, ...(await sandboxIp(rt, sandboxId)), created: true };
  });
}

/** Stops the sandbox's containers (SIGKILL: graceful stops are the caller's StopContainer) and releases its network. */
export async function stopSandbox(rt: Runtime, req: RuntimeRequest<"StopSandbox">): Promise<RuntimeReply<"StopSandbox">> {
  await ignoreNotFound(rt.cri.stopPodSandbox({ podSandboxId: req.sandboxId }));
  return {};
}

/**
 * Removes the sandbox and its containers. Once the pod has no sandbox left, its termination
 * message files go too (nothing can read them any more). Pod log directories stay: removing
 * them is pod garbage collection, which needs to know the pod is gone from the API server.
 */
export async function removeSandbox(rt: Runtime, req: RuntimeRequest<"RemoveSandbox">): Promise<RuntimeReply<"RemoveSandbox">> {
  const status = await ignoreNotFound(rt.cri.podSandboxStatus({ podSandboxId: req.sandboxId }));
  await ignoreNotFound(rt.cri.removePodSandbox({ podSandboxId: req.sandboxId }));
  const uid = status?.status?.labels[labelKeys.podUid];
  if (uid === undefined || status?.status?.labels[labelKeys.managed] === undefined) return {};
  const { items } = await rt.cri.listPodSandbox({ filter: { labelSelector: managedSelector(uid) } });
  if (items.length === 0) await rt.termination.removePod(uid);
  return {};
}

/** The sandbox natslet made for (uid, attempt), in any state. */
export async function findSandbox(rt: Runtime, uid: string, attempt: number): Promise<PodSandbox | undefined> {
  const { items } = await rt.cri.listPodSandbox({ filter: { labelSelector: managedSelector(uid) } });
  return items.find((s) => s.metadata?.attempt === attempt);
}

/** ListPodSandbox has no IPs: the reply's IP comes from PodSandboxStatus. */
async function sandboxIp(rt: Runtime, sandboxId: string): Promise<{ ip?: string }> {
  const { status } = await rt.cri.podSandboxStatus({ podSandboxId: sandboxId });
  const ip = status?.network?.ip ?? "";
  return ip === "" ? {} : { ip };
}

/**
 * The sandbox a container is created in: it must exist, be ready and belong to `pod`. Returns
 * its attempt, which CreateContainer's copy of the sandbox config must carry.
 */
export async function sandboxFor(rt: Runtime, sandboxId: string, pod: Pod): Promise<{ attempt: number }> {
  let status;
  try {
    ({ status } = await rt.cri.podSandboxStatus({ podSandboxId: sandboxId }));
  } catch (err) {
    if (isNotFound(err)) throw new NatsletError("NotFound", `sandbox ${sandboxId} does not exist`, { cause: err });
    throw err;
  }
  if (status === null) throw new NatsletError("NotFound", `sandbox ${sandboxId} does not exist`);
  if (status.labels[labelKeys.podUid] !== pod.metadata.uid) {
    throw new NatsletError("InvalidInput", `sandbox ${sandboxId} does not belong to pod ${pod.metadata.uid}`);
  }
  if (status.state !== "SANDBOX_READY") throw new NatsletError("Conflict", `sandbox ${sandboxId} is not ready`);
  return { attempt: status.metadata?.attempt ?? 0 };
}

/** Stop/remove of something already gone is done: resolves undefined on NOT_FOUND. */
export async function ignoreNotFound<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
