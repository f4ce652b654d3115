// Handlers of the node-api's runtime commands (contracts: runtime-node-api.ts).
import type { runtimeNodeApiMethods } from "@natslet/contracts";
import type { HandlersOf } from "./handlers.js";
import type { Observer } from "./observe.js";
import type { Runtime } from "./runtime.js";

export function createNodeApiHandlers(_rt: Runtime, _observer: Observer): HandlersOf<typeof runtimeNodeApiMethods> {
  return {};
}
