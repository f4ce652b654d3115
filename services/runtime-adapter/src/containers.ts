// EnsureContainer, StopContainer, RemoveContainer. A container is identified by (pod UID,
// container name, attempt): labels say pod and name, CRI metadata.attempt the attempt.
import { rm } from "node:fs/promises";
import { relative } from "node:path";
import { NatsletError, type Container, type Pod, type RuntimeReply, type RuntimeRequest } from "@natslet/contracts";
import { containerConfig, labelKeys, resolveEnv, sandboxConfig, type CriMount } from "@natslet/core";
import { DEFAULT_TIMEOUT_MS, type Container as CriContainer } from "@natslet/cri";
import { isNameReserved, toNatsletError } from "./cri-errors.js";
import { IMAGE_ANNOTATION, managedSelector } from "./observe-map.js";
import type { Runtime } from "./runtime.js";
import { ignoreNotFound, sandboxFor } from "./sandboxes.js";

/** The API server's default; a pod that reaches us without it gets it too. */
const DEFAULT_TERMINATION_MESSAGE_PATH = "/dev/termination-log";

type Reply = RuntimeReply<"EnsureContainer">;

export async function ensureContainer(rt: Runtime, req: RuntimeRequest<"EnsureContainer">): Promise<Reply> {
  const { pod, name, attempt, sandboxId } = req;
  const spec = containerSpec(pod, name);
  const uid = pod.metadata.uid;
  return rt.locks.run(`container/${uid}/${name}/${attempt}`, async () => {
    const existing = await findContainer(rt, uid, name, attempt);
    if (existing) return reuse(rt, existing, sandboxId);

    const sandbox = await sandboxFor(rt, sandboxId, pod);
    const imageRef = await presentImage(rt, spec.image);
    const env = resolveEnv(pod, spec, {
      podIps: req.podIps,
      hostIp: rt.nodeIp,
      nodeName: rt.nodeName,
      allocatable: { cpuMillis: rt.cpuMillis, memoryBytes: rt.memoryCapacityBytes },
    });
    // The caller reports this as the container's waiting reason; retrying cannot help until
    // the pod (or the ConfigMap/Secret it reads) changes.
    if (!env.ok) throw new NatsletError("InvalidInput", `${env.reason}: ${env.message}`);

    // Volumes first (the volume-manager resolved host paths and subPaths), then the termination message file.
    const mounts: CriMount[] = [...(req.mounts ?? [])];
    const messagePath = spec.terminationMessagePath ?? DEFAULT_TERMINATION_MESSAGE_PATH;
    if (messagePath !== "") {
      mounts.push({ containerPath: messagePath, hostPath: await rt.termination.prepare(uid, name, attempt) });
    }
    const config = containerConfig(pod, spec, {
      attempt,
      imageRef,
      envs: env.envs,
      mounts,
      memoryCapacityBytes: rt.memoryCapacityBytes,
    });
    config.annotations[IMAGE_ANNOTATION] = spec.image;

    let containerId: string;
    try {
      ({ containerId } = await rt.cri.createContainer({
        podSandboxId: sandboxId,
        config,
        sandboxConfig: sandboxConfig(pod, { attempt: sandbox.attempt, podLogsRoot: rt.podLogsDir }),
      }));
    } catch (err) {
      if (!isNameReserved(err)) throw toNatsletError(err, "CreateContainerError");
      const raced = await findContainer(rt, uid, name, attempt);
      if (!raced) throw new NatsletError("Unavailable", `container ${name} attempt ${attempt} is being created by another request`, { cause: err });
      return reuse(rt, raced, sandboxId);
    }
    await start(rt, containerId);
    return { containerId, created: true };
  });
}

/** SIGTERM (or the image's stop signal), SIGKILL after the grace period. */
export async function stopContainer(rt: Runtime, req: RuntimeRequest<"StopContainer">): Promise<RuntimeReply<"StopContainer">> {
  const grace = req.gracePeriodSeconds;
  // The call may legitimately take the whole grace period: its deadline must outlast it
  // (kubelet: remote_runtime StopContainer, timeout + runtime request timeout).
  await ignoreNotFound(rt.cri.stopContainer({ containerId: req.containerId, timeout: grace }, { timeoutMs: DEFAULT_TIMEOUT_MS + grace * 1000 }));
  return {};
}

/** Removes the container and its log file (kubelet: removeContainerLog); the runtime keeps logs. */
export async function removeContainer(rt: Runtime, req: RuntimeRequest<"RemoveContainer">): Promise<RuntimeReply<"RemoveContainer">> {
  const found = await ignoreNotFound(rt.cri.containerStatus({ containerId: req.containerId }));
  await ignoreNotFound(rt.cri.removeContainer({ containerId: req.containerId }));
  const logPath = found?.status?.logPath ?? "";
  // Only files below our own log root: a status is not a licence to delete anywhere.
  if (logPath !== "" && isBelow(rt.podLogsDir, logPath)) await rm(logPath, { force: true });
  return {};
}

/** The pod's container or init container named `name`. */
function containerSpec(pod: Pod, name: string): Container {
  const spec = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((c) => c.name === name);
  if (spec === undefined) throw new NatsletError("InvalidInput", `pod ${pod.metadata.uid} has no container named ${name}`);
  return spec;
}

async function findContainer(rt: Runtime, uid: string, name: string, attempt: number): Promise<CriContainer | undefined> {
  const labelSelector = { ...managedSelector(uid), [labelKeys.containerName]: name };
  const { containers } = await rt.cri.listContainers({ filter: { labelSelector } });
  return containers.find((c) => c.metadata?.attempt === attempt);
}

/** An existing container for the key: start it if it was only created, else report it as it is. */
async function reuse(rt: Runtime, existing: CriContainer, sandboxId: string): Promise<Reply> {
  if (existing.podSandboxId !== sandboxId) {
    throw new NatsletError("Conflict", `container ${existing.id} of this attempt runs in sandbox ${existing.podSandboxId}, not ${sandboxId}`);
  }
  // Created by an earlier request that did not get to StartContainer (e.g. this process died).
  if (existing.state === "CONTAINER_CREATED") await start(rt, existing.id);
  return { containerId: existing.id, created: false };
}

async function start(rt: Runtime, containerId: string): Promise<void> {
  try {
    await rt.cri.startContainer({ containerId });
  } catch (err) {
    // containerd marks the container exited (reason StartError); the caller sees it there next.
    throw toNatsletError(err, "RunContainerError");
  }
}

/** The image ID to create the container from: the image must be present (EnsureImage first). */
async function presentImage(rt: Runtime, image: string): Promise<string> {
  const { image: found } = await rt.cri.imageStatus({ image: { image } });
  if (found === null) throw new NatsletError("NotFound", `image "${image}" is not present on the node`);
  return found.id;
}

function isBelow(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel !== "" && !rel.startsWith("..") && !rel.startsWith("/");
}
