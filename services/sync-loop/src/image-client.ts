// The sync-loop's side of the image-manager: Ensure for every container about to start, sent
// as soon as the pass knows which ones (so pulls overlap volume setup and sandbox creation),
// awaited just before each container is created. The image-manager records the image Events.
import type { NatsConnection } from "@nats-io/transport-node";
import { request } from "@natslet/bus";
import { ensureImageRequest, imageMethods, subjects, type EnsureImageReply, type Pod } from "@natslet/contracts";
import type { WaitingReason } from "@natslet/core";

/** A pull takes as long as it takes (the CRI client gives it 10 min); the reply comes after it. */
const ENSURE_TIMEOUT_MS = 660_000;

export class ImageClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly node: string,
  ) {}

  ensure(pod: Pod, container: string): Promise<EnsureImageReply> {
    const containers = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
    // A name the spec does not have gets an empty image: InvalidImageName, not a crash.
    const spec = containers.find((c) => c.name === container) ?? { name: container, image: "" };
    return request(this.nc, subjects.imageRpc(this.node, "Ensure"), ensureImageRequest(pod, spec), imageMethods.Ensure.reply, {
      timeoutMs: ENSURE_TIMEOUT_MS,
    });
  }
}

/**
 * The Ensure requests of one pass: started together once the pass is past what may stop it
 * early (volumes), so an early stop records no image Events; awaited one by one.
 */
export class ImageEnsures {
  readonly #pending = new Map<string, Promise<EnsureImageReply>>();
  /** When each request went out: a reply that pulled spans the pull (for the pod start SLI). */
  readonly #sentAt = new Map<string, number>();
  readonly #retries: number[] = [];

  constructor(
    private readonly client: Pick<ImageClient, "ensure">,
    private readonly pod: Pod,
    private readonly containers: readonly string[],
    private readonly onPulled: (startMs: number, endMs: number) => void = () => undefined,
  ) {}

  /** Sends every request now (idempotent); the pulls overlap what the pass does next. */
  start(): void {
    // Not awaited here: #send keeps each reply for wait().
    for (const name of this.containers) if (!this.#pending.has(name)) void this.#send(name);
  }

  /**
   * Waits for the container's image. Undefined when it is ready (with its imageRef); a waiting
   * reason (ErrImagePull, ImagePullBackOff, ErrImageNeverPull, InvalidImageName) when not.
   * A failure of the request itself (timeout, no image-manager) is thrown: the pass is retried.
   */
  async wait(container: string): Promise<WaitingReason | undefined> {
    const reply = await (this.#pending.get(container) ?? this.#send(container));
    if (reply.result === "ready") {
      if (reply.pulled) this.onPulled(this.#sentAt.get(container) ?? Date.now(), Date.now());
      return undefined;
    }
    if (reply.retryInMs !== undefined) this.#retries.push(reply.retryInMs);
    return { reason: reply.reason, message: reply.message };
  }

  #send(container: string): Promise<EnsureImageReply> {
    const reply = this.client.ensure(this.pod, container);
    this.#sentAt.set(container, Date.now());
    // Awaited later (or never, when the pass stops early): no unhandled rejection meanwhile.
    reply.catch(() => undefined);
    this.#pending.set(container, reply);
    return reply;
  }

  /** When the pass should run again for the images that wait (back-off expiry). */
  retries(): number[] {
    return [...this.#retries];
  }
}
