// Runtime commands the image-manager uses: the CRI ImageService, reached through the
// runtime-adapter (the only process holding the CRI socket). They are primitives: the pull
// policy, de-duplication, back-off and GC decisions belong to the image-manager.
import { array, boolean, nonEmptyString, nonNegativeInteger, object, optional, string, type Parsed } from "./schema.js";

/** An image as the CRI reports it. `size` in bytes. */
export const runtimeImageSchema = object({
  id: nonEmptyString,
  repoTags: array(string),
  repoDigests: array(string),
  size: nonNegativeInteger,
  /** The runtime will not remove it (e.g. its sandbox image), when the runtime says so. */
  pinned: optional(boolean),
});
export type RuntimeImage = Parsed<typeof runtimeImageSchema>;

/** Registry credentials for one pull (CRI AuthConfig). */
export const imageAuthSchema = object({
  username: optional(string),
  password: optional(string),
  /** base64("user:password"), as docker config JSON writes it. */
  auth: optional(string),
  serverAddress: optional(string),
  identityToken: optional(string),
  registryToken: optional(string),
});
export type ImageAuth = Parsed<typeof imageAuthSchema>;

export const runtimeImageMethods = {
  /**
   * CRI PullImage. Failures keep the registry's message; the code is Unavailable for a pull that
   * may succeed later (unreachable, unauthorized, not found), InvalidInput for a bad reference.
   */
  PullImage: {
    request: object({ image: nonEmptyString, auth: optional(imageAuthSchema), podUid: optional(string) }),
    reply: object({ imageRef: nonEmptyString }),
  },
  /** CRI ImageStatus: the image when present, nothing when not (not an error). */
  ImageStatus: {
    request: object({ image: nonEmptyString }),
    reply: object({ image: optional(runtimeImageSchema) }),
  },
  ListImages: { request: object({}), reply: object({ images: array(runtimeImageSchema) }) },
  /** CRI RemoveImage by ID or reference; removing an absent image succeeds. */
  RemoveImage: { request: object({ image: nonEmptyString }), reply: object({}) },
  /**
   * CRI ImageFsInfo for the image filesystem, with the capacity (statfs of its mountpoint, done
   * by the runtime-adapter because the filesystem is node-local).
   */
  ImageFsInfo: {
    request: object({}),
    reply: object({ usedBytes: nonNegativeInteger, capacityBytes: nonNegativeInteger, availableBytes: nonNegativeInteger, mountpoint: string }),
  },
} as const;
