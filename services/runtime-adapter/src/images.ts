// The CRI ImageService as primitive commands for the image-manager (contracts:
// runtime-images.ts). No policy here: the image-manager decides what to pull, when and how often.
import { statfs } from "node:fs/promises";
import { NatsletError, type ImageAuth, type RuntimeImage, type RuntimeReply, type RuntimeRequest } from "@natslet/contracts";
import { CriError, type AuthConfig, type Image } from "@natslet/cri";
import type { Runtime } from "./runtime.js";

export async function pullImage(rt: Runtime, req: RuntimeRequest<"PullImage">): Promise<RuntimeReply<"PullImage">> {
  let imageRef: string;
  try {
    ({ imageRef } = await rt.cri.pullImage({ image: { image: req.image }, ...(req.auth ? { auth: authConfig(req.auth) } : {}) }));
  } catch (err) {
    // The registry's own words ("... 401 Unauthorized", "... not found") are what the pod's
    // waiting message and the Failed Event must show: keep them, without the CRI prefix.
    if (err instanceof CriError) {
      const code = err.code === "INVALID_ARGUMENT" ? "InvalidInput" : err.code === "DEADLINE_EXCEEDED" ? "Timeout" : "Unavailable";
      throw new NatsletError(code, err.details, { cause: err });
    }
    throw err;
  }
  // Some runtimes answer a pull without the reference; the image's ID is the same thing.
  if (imageRef === "") imageRef = (await imageStatus(rt, { image: req.image })).image?.id ?? req.image;
  return { imageRef };
}

export async function imageStatus(rt: Runtime, req: RuntimeRequest<"ImageStatus">): Promise<RuntimeReply<"ImageStatus">> {
  const { image } = await rt.cri.imageStatus({ image: { image: req.image } });
  return image ? { image: toRuntimeImage(image) } : {};
}

export async function listImages(rt: Runtime): Promise<RuntimeReply<"ListImages">> {
  const { images } = await rt.cri.listImages({});
  return { images: images.map(toRuntimeImage) };
}

export async function removeImage(rt: Runtime, req: RuntimeRequest<"RemoveImage">): Promise<RuntimeReply<"RemoveImage">> {
  try {
    await rt.cri.removeImage({ image: { image: req.image } });
  } catch (err) {
    // Already gone is what the caller wanted (CRI says RemoveImage must be idempotent; be sure).
    if (err instanceof CriError && err.code === "NOT_FOUND") return {};
    throw err;
  }
  return {};
}

/** Usage of the image filesystem from the CRI, capacity from statfs of its mountpoint. */
export async function imageFsInfo(rt: Runtime): Promise<RuntimeReply<"ImageFsInfo">> {
  const { imageFilesystems } = await rt.cri.imageFsInfo({});
  const fs = imageFilesystems[0];
  const mountpoint = fs?.fsId?.mountpoint ?? "";
  if (!fs || mountpoint === "") throw new NatsletError("Unsupported", "the runtime reports no image filesystem");
  const st = await statfs(mountpoint);
  const capacityBytes = st.blocks * st.bsize;
  const availableBytes = st.bavail * st.bsize;
  // containerd's usedBytes counts the snapshots it owns; the filesystem may hold more (other
  // files, reserved blocks). The kubelet's GC compares CRI usage with capacity: do the same,
  // but never report less used than the filesystem itself shows as taken from the available.
  const criUsed = Number(fs.usedBytes?.value ?? "0");
  const fsUsed = Math.max(0, capacityBytes - availableBytes);
  return { usedBytes: Math.max(criUsed, fsUsed), capacityBytes, availableBytes, mountpoint };
}

function toRuntimeImage(image: Image): RuntimeImage {
  return {
    id: image.id,
    repoTags: image.repoTags,
    repoDigests: image.repoDigests,
    size: Number(image.size),
    ...(image.pinned ? { pinned: true } : {}),
  };
}

function authConfig(auth: ImageAuth): AuthConfig {
  const out: AuthConfig = {};
  for (const key of ["username", "password", "auth", "serverAddress", "identityToken", "registryToken"] as const) {
    const value = auth[key];
    if (value !== undefined && value !== "") out[key] = value;
  }
  return out;
}
