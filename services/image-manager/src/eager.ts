// Eager pulls: the images of a pod are fetched as soon as the pod shows up in the pod stream,
// while the sync-loop is still creating the sandbox (and volumes). Every replica reads the
// stream; the KV claim in SharedPulls makes the duplicates cheap (one pulls, the others wait
// for its result), so no extra consumer coordination is needed.
import type { NatsConnection } from "@nats-io/transport-node";
import { watchLatest, type LatestWatch } from "@natslet/bus";
import { ensureImageRequest, podMessageSchema, streams, subjects, type Pod, type PodMessage } from "@natslet/contracts";
import type { Logger } from "@natslet/telemetry";
import { eagerPull, type EnsureDeps } from "./ensure.js";

export interface EagerPuller {
  stop(): Promise<void>;
}

export async function startEagerPulls(nc: NatsConnection, node: string, deps: EnsureDeps, log: Logger): Promise<EagerPuller> {
  const seen = new Set<string>();
  const running = new Set<Promise<void>>();
  const watch: LatestWatch<PodMessage> = await watchLatest(nc, streams.pods.name, subjects.podsOfNode(node), podMessageSchema, (subject, err) =>
    log.warn({ err, subject }, "invalid pod message ignored"),
  );
  const reading = (async () => {
    for await (const entry of watch.entries) {
      const message = entry.value;
      if (message.kind === "deleted") {
        seen.delete(message.uid);
        continue;
      }
      const pod = message.pod;
      if (seen.has(pod.metadata.uid) || pod.metadata.deletionTimestamp !== undefined) continue;
      seen.add(pod.metadata.uid);
      for (const req of requestsOf(pod)) {
        const work = eagerPull(req, deps).catch((err: unknown) => log.warn({ err, pod_uid: pod.metadata.uid, image: req.image }, "eager pull failed"));
        running.add(work);
        void work.finally(() => running.delete(work));
      }
    }
  })();
  return {
    async stop() {
      await watch.stop();
      await reading;
      await Promise.allSettled([...running]);
    },
  };
}

/** The pod's Ensure requests; an empty image is left to the sync-loop's request (InvalidImageName). */
function requestsOf(pod: Pod) {
  return [...(pod.spec.initContainers ?? []), ...pod.spec.containers].filter((c) => c.image !== "").map((c) => ensureImageRequest(pod, c));
}
