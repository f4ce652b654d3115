// Handlers of the image-manager's runtime commands (contracts: runtime-images.ts).
import type { runtimeImageMethods } from "@natslet/contracts";
import type { HandlersOf } from "./handlers.js";
import { imageFsInfo, imageStatus, listImages, pullImage, removeImage } from "./images.js";
import type { Runtime } from "./runtime.js";

export function createImageHandlers(rt: Runtime): HandlersOf<typeof runtimeImageMethods> {
  return {
    PullImage: (req) => pullImage(rt, req),
    ImageStatus: (req) => imageStatus(rt, req),
    ListImages: () => listImages(rt),
    RemoveImage: (req) => removeImage(rt, req),
    ImageFsInfo: () => imageFsInfo(rt),
  };
}
