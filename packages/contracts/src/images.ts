// The image-manager's commands (request/reply, queue group `image-manager`): subject
// natslet.image.<node>.rpc.<Method>. The image-manager owns the pull policy, shared pulls,
// pull back-off, pull secrets, image Events and image GC; the sync-loop only asks and waits.
import { array, boolean, nonEmptyString, nonNegativeInteger, object, oneOf, optional, string, taggedUnion, type Parsed } from "./schema.js";
import type { Container, Pod } from "./pod.js";

export const PULL_POLICIES = ["Always", "IfNotPresent", "Never"] as const;
export type PullPolicy = (typeof PULL_POLICIES)[number];

/** The kubelet's waiting reasons for a container whose image is not ready. */
export const IMAGE_WAITING_REASONS = ["ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull", "InvalidImageName"] as const;
export type ImageWaitingReason = (typeof IMAGE_WAITING_REASONS)[number];

export const ensureImageReplySchema = taggedUnion("result", {
  /** The image is present; `imageRef` is what the runtime resolved it to. */
  ready: object({ result: oneOf("ready"), imageRef: nonEmptyString, pulled: boolean }),
  /**
   * The container must wait: `reason` goes into its waiting state as it is, `message` is the
   * registry's (or the kubelet's) text. Ask again after `retryInMs` (back-off expiry).
   */
  waiting: object({
    result: oneOf("waiting"),
    reason: oneOf(...IMAGE_WAITING_REASONS),
    message: string,
    retryInMs: optional(nonNegativeInteger),
  }),
});
export type EnsureImageReply = Parsed<typeof ensureImageReplySchema>;

export const imageMethods = {
  /**
   * Makes the container's image present as the kubelet would (EnsureImageExists): pull policy
   * (default from the tag when absent), pull secrets, back-off per pod and image, Events.
   * Concurrent requests for one image share one pull, across replicas.
   */
  Ensure: {
    request: object({
      /** As the pod spec wrote it; empty gives InvalidImageName. */
      image: string,
      policy: optional(oneOf(...PULL_POLICIES)),
      pod: object({ uid: nonEmptyString, namespace: nonEmptyString, name: nonEmptyString }),
      container: nonEmptyString,
      /** Names of the pod's imagePullSecrets (Secrets in the pod's namespace). */
      pullSecrets: array(string),
    }),
    reply: ensureImageReplySchema,
  },
} as const;

export type ImageMethod = keyof typeof imageMethods;
export type ImageRequest<M extends ImageMethod> = Parsed<(typeof imageMethods)[M]["request"]>;
export type ImageReply<M extends ImageMethod> = Parsed<(typeof imageMethods)[M]["reply"]>;

/**
 * The Ensure request for one container of `pod` (the sync-loop's before creating it, the
 * image-manager's eager pull when the pod shows up): image and policy as the spec wrote them.
 */
export function ensureImageRequest(pod: Pod, container: Pick<Container, "name" | "image" | "imagePullPolicy">): ImageRequest<"Ensure"> {
  return {
    image: container.image,
    ...(container.imagePullPolicy ? { policy: container.imagePullPolicy } : {}),
    pod: { uid: pod.metadata.uid, namespace: pod.metadata.namespace, name: pod.metadata.name },
    container: container.name,
    pullSecrets: (pod.spec.imagePullSecrets ?? []).map((s) => s.name ?? "").filter((n) => n !== ""),
  };
}
