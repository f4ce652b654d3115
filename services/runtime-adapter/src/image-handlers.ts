// Handlers of the image-manager's runtime commands (contracts: runtime-images.ts).
import type { runtimeImageMethods } from "@natslet/contracts";
import type { HandlersOf } from "./handlers.js";
import type { Runtime } from "./runtime.js";

export function createImageHandlers(_rt: Runtime): HandlersOf<typeof runtimeImageMethods> {
  return {};
}
