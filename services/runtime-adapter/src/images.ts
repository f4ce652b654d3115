// EnsureImage: the pull policy (kubelet: images/image_manager.go EnsureImageExists). The
// image-manager service owns de-duplication and back-off; this is the CRI side of one decision.
import { NatsletError, type RuntimeReply, type RuntimeRequest } from "@natslet/contracts";
import { CriError } from "@natslet/cri";
import type { Runtime } from "./runtime.js";

export async function ensureImage(rt: Runtime, req: RuntimeRequest<"EnsureImage">): Promise<RuntimeReply<"EnsureImage">> {
  const { image, policy } = req;
  if (policy !== "Always") {
    const present = await imageId(rt, image);
    if (present !== undefined) return { imageRef: present, pulled: false };
    if (policy === "Never") {
      throw new NatsletError("NotFound", `ErrImageNeverPull: Container image "${image}" is not present with pull policy of Never`);
    }
  }
  let imageRef: string;
  try {
    ({ imageRef } = await rt.cri.pullImage({ image: { image } }));
  } catch (err) {
    const why = err instanceof CriError ? err.details : err instanceof Error ? err.message : String(err);
    throw new NatsletError("Unavailable", `ErrImagePull: ${why}`, { cause: err });
  }
  // Some runtimes answer a pull without the reference; the image's ID is the same thing.
  if (imageRef === "") imageRef = (await imageId(rt, image)) ?? image;
  return { imageRef, pulled: true };
}

async function imageId(rt: Runtime, image: string): Promise<string | undefined> {
  const { image: found } = await rt.cri.imageStatus({ image: { image } });
  return found?.id;
}
