// The image-manager's Events: @natslet/bus's EventPublisher; tests hand in their own.
import type { EventPublisher } from "@natslet/bus";

/** Kubernetes Events about pods' images and the node's image GC. */
export type ImageEvents = Pick<EventPublisher, "pod" | "node">;
