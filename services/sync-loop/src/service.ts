// The SyncLoop's wiring: desired state from the pod stream, runtime events from the PLEG,
// a periodic resync and housekeeping, all feeding one worker per pod.
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import {
  countDeadLetter, decodeJson, ensureStreams, EventPublisher, type LatestWatch, LOCK_RETRY_MS, Replicas, RuntimeClient, traceContextOf, watchLatest,
} from "@natslet/bus";
import { evictionMessageSchema, podMessageSchema, podUidOf, runtimeEventSchema, streams, subjects, type PodMessage } from "@natslet/contracts";
import { CrashLoopBackoff, KeyedWorker, desiredPodChanged, nextBackoffPeriod, type BackoffPolicy } from "@natslet/core";
import type { Logger } from "@natslet/telemetry";
import { ROOT_CONTEXT, SpanStatusCode, trace, type Context } from "@opentelemetry/api";
import type { Registry } from "prom-client";
import { syncLoopMetrics } from "./metrics.js";
import { PodTable } from "./pod-table.js";
import { forgetPodState, syncGonePod, syncPod, WarnedPods, type PodSyncDeps, type SyncResult } from "./pod-sync.js";
import { StatusPublisher } from "./publishers.js";
import { ImageClient } from "./image-client.js";
import { StartupSli } from "./startup-sli.js";
import { VolumeClient } from "./volume-client.js";
import type { SyncLoopSettings } from "./settings.js";

export interface SyncLoop {
  /** Resolves once the complete desired state was read from the stream. */
  readonly caughtUp: Promise<void>;
  /** Whether the last runtime call succeeded (for /readyz). */
  runtimeHealthy(): boolean;
  /** Whether this replica's heartbeat reaches the other replicas (for /readyz). */
  replicasHealthy(): boolean;
  stop(): Promise<void>;
}

const tracer = trace.getTracer("natslet-sync-loop");

/**
 * Retrying a failed pass: soon, but backing off while it keeps failing (the runtime-adapter may
 * be restarting, and each failed pass may record an Event).
 */
const RETRY_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 30_000 };

/**
 * Why a pod is synced, and the trace that caused it. A pass caused by a pod update or a PLEG
 * event continues that message's trace (one trace per pod change, watcher to status-manager);
 * a timer-driven pass starts a trace of its own instead of growing one trace forever.
 */
interface SyncTrigger {
  reason: "pod-update" | "pleg" | "resync" | "retry" | "housekeeping" | "ownership" | "eviction";
  context?: Context;
}

/** A queued pass that carries a trace keeps it when a timer asks for the same pod again. */
function mergeTriggers(queued: SyncTrigger, next: SyncTrigger): SyncTrigger {
  return next.context === undefined && queued.context !== undefined ? queued : next;
}

export async function startSyncLoop(
  settings: SyncLoopSettings,
  deps: { nc: NatsConnection; log: Logger; registry: Registry; clock?: () => number },
): Promise<SyncLoop> {
  const { nc, log } = deps;
  const clock = deps.clock ?? Date.now;
  const node = settings.nodeName;
  const metrics = syncLoopMetrics(deps.registry, () => table.uids().filter((uid) => replicas.owns(uid)).length);
  await ensureStreams(nc);

  const table = new PodTable();
  // Replicas of this node's sync-loop split the pods; a new member list moves some of them.
  let onMembersChanged = (): void => undefined;
  const replicas = await Replicas.join(nc, { service: "sync-loop", node, log, onMembersChanged: () => onMembersChanged() });
  const backoff = new CrashLoopBackoff();
  let runtimeOk = true;
  const podDeps: PodSyncDeps = {
    runtime: new RuntimeClient(nc, node),
    images: new ImageClient(nc, node),
    volumes: new VolumeClient(nc, node),
    statuses: new StatusPublisher(jetstream(nc), node, clock),
    events: new EventPublisher(nc, node),
    backoff,
    warned: new WarnedPods(),
    startup: new StartupSli(metrics),
    evictions: new Map(),
    hostIp: settings.nodeIp,
    clock,
    log,
  };

  /** The retry delay of each pod whose last pass failed (a pass that succeeds forgets it). */
  const retryDelayByPod = new Map<string, number>();
  /** One pass of the pod's worker, as a span (the trigger's trace continued when it has one). */
  const syncTraced = async (uid: string, trigger: SyncTrigger): Promise<void> => {
    const desired = table.get(uid);
    const pod = desired?.kind === "present" ? desired.pod : undefined;
    const started = clock();
    const attributes = { ...podAttributes(uid, pod), "natslet.sync.trigger": trigger.reason };
    const parent = trigger.context ?? ROOT_CONTEXT;
    await tracer.startActiveSpan("sync pod", { attributes, root: trigger.context === undefined }, parent, async (span) => {
      let result: SyncResult = {};
      try {
        result = pod ? await syncPod(pod, podDeps) : await syncGonePod(uid, podDeps);
        retryDelayByPod.delete(uid);
        runtimeOk = true;
        metrics.syncDuration.labels("ok").observe((clock() - started) / 1000);
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        runtimeOk = false;
        metrics.syncDuration.labels("error").observe((clock() - started) / 1000);
        throw err;
      } finally {
        span.end();
        if (result.forget) {
          table.forget(uid);
          retryDelayByPod.delete(uid);
        } else if (table.has(uid)) {
          const next = Math.min(result.retryInMs ?? Infinity, settings.resyncMs);
          table.scheduleResync(uid, next, () => workers.submit(uid, { reason: "resync" }));
        }
      }
    });
  };
  const workers = new KeyedWorker<SyncTrigger>({
    merge: mergeTriggers,
    run: async (uid, trigger) => {
      if (!replicas.owns(uid)) {
        // Another replica syncs it. A deletion is its job too: nothing to keep here.
        if (table.get(uid)?.kind === "gone") table.forget(uid);
        return;
      }
      // Locked while the pass runs: a replica that has just lost the pod may still be finishing one.
      if (!(await replicas.withLock(uid, () => syncTraced(uid, trigger)))) {
        table.scheduleResync(uid, LOCK_RETRY_MS, () => workers.submit(uid, { reason: "retry" }));
      }
    },
    onError: (uid, err) => {
      const desired = table.get(uid);
      const pod = desired?.kind === "present" ? desired.pod : undefined;
      log.warn({ err, pod_uid: uid, pod_namespace: pod?.metadata.namespace, pod_name: pod?.metadata.name }, "pod sync failed; retrying");
      const delay = nextBackoffPeriod(retryDelayByPod.get(uid), RETRY_BACKOFF);
      retryDelayByPod.set(uid, delay);
      if (table.has(uid)) table.scheduleResync(uid, delay, () => workers.submit(uid, { reason: "retry" }));
    },
  });

  // Desired state: every pod of this node, then every change.
  const watch: LatestWatch<PodMessage> = await watchLatest(
    nc,
    streams.pods.name,
    subjects.podsOfNode(node),
    podMessageSchema,
    (subject, err) => {
      log.error({ err, subject }, "invalid pod message dropped");
    },
  );
  const reading = (async () => {
    for await (const entry of watch.entries) {
      const uid = podUidOf(entry.subject);
      const message = entry.value;
      if (message.kind === "upsert" && message.pod.metadata.uid !== uid) {
        log.error({ subject: entry.subject, pod_uid: message.pod.metadata.uid }, "pod message under another pod's subject dropped");
        continue;
      }
      const before = table.get(uid);
      table.set(uid, message.kind === "upsert" ? { kind: "present", pod: message.pod } : { kind: "gone" });
      // Most updates of a running pod are its own status coming back: nothing to do for those.
      const statusOnly = message.kind === "upsert" && before?.kind === "present" && !desiredPodChanged(before.pod, message.pod);
      if (!statusOnly) workers.submit(uid, { reason: "pod-update", context: entry.traceContext });
    }
  })();

  // PLEG: a container of a pod changed; sync that pod now instead of at its next resync.
  const plegSub: Subscription = nc.subscribe(subjects.runtimeEvents(node), {
    callback: (err, msg) => {
      if (err) return;
      try {
        const event = decodeJson(runtimeEventSchema, msg.data);
        if (table.has(event.podUid)) workers.submit(event.podUid, { reason: "pleg", context: traceContextOf(msg.headers) });
      } catch (decodeErr) {
        countDeadLetter(msg.subject, "invalid");
        log.error({ err: decodeErr, subject: msg.subject }, "invalid runtime event dropped");
      }
    },
  });

  // Evictions asked for by managers (the volume-manager: an emptyDir over its sizeLimit). Sent
  // again while the cause lasts, so only the pod's owner keeps one; the pod stops for good.
  const evictionSub: Subscription = nc.subscribe(subjects.evictions(node), {
    callback: (err, msg) => {
      if (err) return;
      try {
        const eviction = decodeJson(evictionMessageSchema, msg.data);
        const uid = eviction.uid;
        if (table.get(uid)?.kind !== "present" || !replicas.owns(uid) || podDeps.evictions.has(uid)) return;
        log.warn({ pod_uid: uid, message: eviction.message }, "evicting pod");
        podDeps.evictions.set(uid, eviction.message);
        workers.submit(uid, { reason: "eviction", context: traceContextOf(msg.headers) });
      } catch (decodeErr) {
        countDeadLetter(msg.subject, "invalid");
        log.error({ err: decodeErr, subject: msg.subject }, "invalid eviction dropped");
      }
    },
  });

  // Housekeeping: pods in the runtime that nobody wants (deleted while the sync-loop was down,
  // or force-deleted). Only after the full desired state is known, or it would kill live pods.
  const housekeeping = async () => {
    try {
      const { pods } = await podDeps.runtime.call("ListPods", {});
      for (const uid of Object.keys(pods)) {
        if (table.has(uid) || workers.isBusy(uid) || !replicas.owns(uid)) continue;
        log.info({ pod_uid: uid, pod_namespace: pods[uid]?.namespace, pod_name: pods[uid]?.name }, "removing orphaned pod");
        metrics.housekeepingRemoved.inc();
        table.set(uid, { kind: "gone" });
        workers.submit(uid, { reason: "housekeeping" });
      }
      backoff.gc(clock());
    } catch (err) {
      log.warn({ err }, "housekeeping failed; will retry");
    }
  };
  let housekeepingTimer: NodeJS.Timeout | undefined;
  void watch.caughtUp.then(() => {
    log.info({ pods: table.size }, "desired state read from the stream");
    void housekeeping();
    housekeepingTimer = setInterval(() => void housekeeping(), settings.housekeepingMs);
  });

  // Pods this replica gained are synced now (not at their next resync); what it remembers of
  // pods it lost would be stale should they come back.
  onMembersChanged = () => {
    metrics.replicas.set(replicas.memberCount);
    for (const uid of table.uids()) {
      if (replicas.owns(uid)) workers.submit(uid, { reason: "ownership" });
      else forgetPodState(uid, podDeps);
    }
  };
  metrics.replicas.set(replicas.memberCount);

  return {
    caughtUp: watch.caughtUp,
    runtimeHealthy: () => runtimeOk,
    replicasHealthy: () => replicas.healthy,
    async stop() {
      clearInterval(housekeepingTimer);
      plegSub.unsubscribe();
      evictionSub.unsubscribe();
      await watch.stop();
      await reading;
      await workers.close();
      // After the last pass: leaving earlier would hand pods over while they are still synced here.
      await replicas.stop();
      table.clear();
    },
  };
}

function podAttributes(uid: string, pod: { metadata: { name: string; namespace: string } } | undefined): Record<string, string> {
  return {
    "k8s.pod.uid": uid,
    ...(pod ? { "k8s.pod.name": pod.metadata.name, "k8s.namespace.name": pod.metadata.namespace } : {}),
  };
}
