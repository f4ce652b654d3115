// The image-manager: serves Ensure (queue group `image-manager`, so replicas share requests),
// pulls the images of new pods eagerly, and collects unused images when the image filesystem
// fills up. Pulls are shared through KV; see shared-pulls.ts.
import { randomUUID } from "node:crypto";
import type { KubeConfig } from "@kubernetes/client-node";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { ensureStreams, EventPublisher, RuntimeClient, serve } from "@natslet/bus";
import { imageMethods, NatsletError, queues, subjects, ValidationError, type EnsureImageReply } from "@natslet/contracts";
import type { Logger } from "@natslet/telemetry";
import { SpanStatusCode, trace } from "@opentelemetry/api";
import type { Registry } from "prom-client";
import { startEagerPulls, type EagerPuller } from "./eager.js";
import { ensureImage, type EnsureDeps, type EnsureRequest } from "./ensure.js";
import { collectImages } from "./gc.js";
import { openBuckets } from "./kv-state.js";
import { PullRecordStore } from "./pull-records-store.js";
import { imageMetrics } from "./metrics.js";
import { ApiSecretReader } from "./secrets.js";
import { Semaphore } from "./semaphore.js";
import type { ImageManagerSettings } from "./settings.js";
import { SharedPulls } from "./shared-pulls.js";

export interface ImageManager {
  /** Ensure, as the bus handler runs it (tests send it to one replica on purpose). */
  ensure(req: EnsureRequest): Promise<EnsureImageReply>;
  /** Runs one GC pass now (tests; the timer runs them every gcPeriodMs). */
  collectNow(): ReturnType<typeof collectImages>;
  stop(): Promise<void>;
}

export async function startImageManager(
  settings: ImageManagerSettings,
  deps: { nc: NatsConnection; kc: KubeConfig; log: Logger; registry: Registry; clock?: () => number },
): Promise<ImageManager> {
  const { nc, log } = deps;
  const node = settings.nodeName;
  const clock = deps.clock ?? Date.now;
  const owner = `${node}/${randomUUID()}`;
  await ensureStreams(nc);
  const buckets = await openBuckets(nc);
  const metrics = imageMetrics(deps.registry);
  const runtime = new RuntimeClient(nc, node);
  const events = new EventPublisher(nc, node);
  const records = new PullRecordStore(buckets.credentials, node, clock);
  const ensureDeps: EnsureDeps = {
    node,
    runtime,
    events,
    secrets: new ApiSecretReader(deps.kc),
    shared: new SharedPulls({ kv: buckets.pulls, owner, leaseMs: settings.pullLeaseMs, clock }),
    kv: buckets.pulls,
    semaphore: new Semaphore(settings.pullParallelism),
    records,
    verification: settings.credentialVerification,
    metrics,
    backoff: settings.pullBackoff,
    clock,
    log,
  };

  const inFlight = new Set<Promise<unknown>>();
  const sub: Subscription = serve(
    nc,
    {
      subject: subjects.imageRpc(node, "Ensure"),
      queue: queues.imageManager,
      request: imageMethods.Ensure.request,
      onError: (err, code, subject) => {
        if (err instanceof ValidationError) log.warn({ subject, code, err: err.message }, "rejected invalid request");
        else if (!(err instanceof NatsletError)) log.error({ subject, code, err }, "ensure failed");
        else log.warn({ subject, code, err: err.message }, "ensure failed");
      },
    },
    (req) => {
      // The serve span is this request's: it gets the pod and image, and an image the
      // container cannot have (yet) is an error in the trace, as it is in the pod's status.
      const span = trace.getActiveSpan();
      span?.setAttributes({
        "k8s.pod.uid": req.pod.uid,
        "k8s.pod.name": req.pod.name,
        "k8s.namespace.name": req.pod.namespace,
        "k8s.container.name": req.container,
        "container.image.name": req.image,
      });
      const work = ensureImage(req, ensureDeps).then((reply) => {
        if (reply.result === "waiting") span?.setStatus({ code: SpanStatusCode.ERROR, message: `${reply.reason}: ${reply.message}` });
        else span?.setAttribute("natslet.image.pulled", reply.pulled);
        return reply;
      });
      inFlight.add(work);
      void work.finally(() => inFlight.delete(work)).catch(() => undefined);
      return work;
    },
  );

  const eager: EagerPuller | undefined = settings.eagerPulls ? await startEagerPulls(nc, node, ensureDeps, log) : undefined;

  const gcDeps = {
    node,
    owner,
    runtime,
    kv: buckets.gc,
    events,
    metrics,
    policy: settings.gc,
    lockMs: Math.max(60_000, settings.gcPeriodMs),
    pinnedImages: settings.pinnedImages,
    records,
    clock,
    log,
  };
  let gcRunning: Promise<unknown> = Promise.resolve();
  const gcTimer =
    settings.gcPeriodMs > 0
      ? setInterval(() => {
          gcRunning = collectImages(gcDeps);
        }, settings.gcPeriodMs)
      : undefined;

  return {
    ensure: (req) => ensureImage(req, ensureDeps),
    collectNow: () => collectImages(gcDeps),
    async stop() {
      clearInterval(gcTimer);
      sub.unsubscribe();
      await eager?.stop();
      await Promise.allSettled([...inFlight, gcRunning]);
    },
  };
}
