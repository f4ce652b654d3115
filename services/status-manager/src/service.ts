// The status-manager: the only writer of PodStatus. Reads the latest status per pod from the
// pod-status stream, writes it when it is new and different, deletes pods whose termination
// the sync-loop reported complete, and records Events. Replicas split the pods (packages/bus
// Replicas): each writes only its own pods' statuses, under the pod's lock, so a pod changing
// hands never gets an older status written over a newer one; a replica that gains pods reads
// their newest status from the stream.
import type { KubeConfig } from "@kubernetes/client-node";
import { jetstreamManager } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { decodeJson, ensureStreams, LOCK_RETRY_MS, Replicas, traceContextOf, watchLatest, withEntryContext } from "@natslet/bus";
import {
  eventMessageSchema, podStatusMessageSchema, podUidOf, queues, streams, subjects, type PodStatusMessage,
} from "@natslet/contracts";
import { KeyedWorker } from "@natslet/core";
import type { Logger } from "@natslet/telemetry";
import { context, SpanStatusCode, trace } from "@opentelemetry/api";
import { Counter, type Registry } from "prom-client";
import { ApiWriter } from "./api-writer.js";
import type { StatusManagerSettings } from "./settings.js";
import { StatusCache } from "./status-cache.js";

export interface StatusManager {
  apiHealthy(): boolean;
  /** Whether this replica's heartbeat reaches the other replicas (for /readyz). */
  replicasHealthy(): boolean;
  stop(): Promise<void>;
}

const tracer = trace.getTracer("natslet-status-manager");


export async function startStatusManager(
  settings: StatusManagerSettings,
  deps: { nc: NatsConnection; kc: KubeConfig; log: Logger; registry: Registry },
): Promise<StatusManager> {
  const { nc, log } = deps;
  const node = settings.nodeName;
  await ensureStreams(nc);
  const jsm = await jetstreamManager(nc);
  const api = new ApiWriter(deps.kc, node);
  const cache = new StatusCache();
  const latest = new Map<string, PodStatusMessage>();
  let apiOk = true;
  const writes = new Counter({
    name: "natslet_pod_status_writes_total",
    help: "Pod status writes to the API server, by outcome (written, unchanged, stale, gone, conflict, error).",
    labelNames: ["outcome"],
    registers: [deps.registry],
  });

  const write = async (msg: PodStatusMessage): Promise<void> => {
    const fields = { pod_uid: msg.uid, pod_namespace: msg.namespace, pod_name: msg.name };
    if (!cache.needsWrite(msg)) {
      writes.labels(cache.isStale(msg) ? "stale" : "unchanged").inc();
      return;
    }
    let outcome = await api.patchStatus(msg.namespace, msg.name, msg.uid, msg.status);
    if (outcome === "written" && msg.deletePod) {
      outcome = await api.deletePod(msg.namespace, msg.name, msg.uid);
      if (outcome === "written") log.info(fields, "pod terminated; deleted from the API server");
    }
    apiOk = true;
    writes.labels(outcome).inc();
    if (outcome === "written" && !msg.deletePod) {
      cache.recordWritten(msg, false);
      return;
    }
    // Deleted, gone or replaced by another pod of that name: nothing more to write for this uid.
    cache.forget(msg.uid);
    await jsm.streams.purge(streams.podStatus.name, { filter: subjects.podStatus(node, msg.uid) });
  };

  let onMembersChanged = (): void => undefined;
  const replicas = await Replicas.join(nc, { service: "status-manager", node, log, onMembersChanged: () => onMembersChanged() });

  const workers = new KeyedWorker<void>({
    run: async (uid) => {
      if (!replicas.owns(uid)) {
        latest.delete(uid); // another replica's now; it reads the stream for it
        return;
      }
      const msg = latest.get(uid);
      if (!msg) return;
      if (!cache.needsWrite(msg)) {
        // Counted, without a lock taken for nothing to do.
        latest.delete(uid);
        writes.labels(cache.isStale(msg) ? "stale" : "unchanged").inc();
        return;
      }
      // Locked while writing: a replica that has just lost the pod may still be writing it.
      if (!(await replicas.withLock(uid, () => writeNewest(uid)))) {
        setTimeout(() => workers.submit(uid, undefined), LOCK_RETRY_MS).unref();
      }
    },
    onError: (uid, err) => {
      apiOk = false;
      writes.labels("error").inc();
      log.warn({ err, pod_uid: uid }, "pod status write failed; retrying");
      setTimeout(() => workers.submit(uid, undefined), 1000).unref();
    },
  });

  /** Writes the newest status of the pod, if any (one that arrived while the lock was taken included). */
  async function writeNewest(uid: string): Promise<void> {
    const msg = latest.get(uid);
    if (!msg) return;
    latest.delete(uid);
    await tracer.startActiveSpan("write pod status", { attributes: { "k8s.pod.uid": uid, "k8s.pod.name": msg.name, "k8s.namespace.name": msg.namespace } }, async (span) => {
      try {
        await write(msg);
      } catch (err) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        // Keep the newest status for the retry unless a newer one arrived meanwhile.
        if (!latest.has(uid)) latest.set(uid, msg);
        throw err;
      } finally {
        span.end();
      }
    });
  }

  const watch = await watchLatest(nc, streams.podStatus.name, subjects.podStatusesOfNode(node), podStatusMessageSchema, (subject, err) =>
    log.error({ err, subject }, "invalid pod status message dropped"),
  );
  const reading = (async () => {
    for await (const entry of watch.entries) {
      if (!replicas.owns(entry.value.uid)) continue; // its owner writes it
      latest.set(entry.value.uid, entry.value);
      withEntryContext(entry, () => workers.submit(entry.value.uid, undefined));
    }
  })();

  const eventsSub: Subscription = nc.subscribe(subjects.events(node), {
    queue: queues.statusManager,
    callback: (err, msg) => {
      if (err) return;
      let event;
      try {
        event = decodeJson(eventMessageSchema, msg.data);
      } catch (decodeErr) {
        log.error({ err: decodeErr, subject: msg.subject }, "invalid event message dropped");
        return;
      }
      void context.with(traceContextOf(msg.headers), () =>
        api.recordEvent(event, new Date()).catch((recordErr: unknown) =>
          log.warn({ err: recordErr, reason: event.reason, pod_name: event.involved.name }, "event not recorded"),
        ),
      );
    },
  });

  // A new member list: what was written for pods now someone else's may be outdated should they
  // come back; pods gained get their newest status read from the stream (the stream keeps the
  // last per pod; the replica that lost them may not have written it).
  const readGained = async () => {
    const info = await jsm.streams.info(streams.podStatus.name, { subjects_filter: subjects.podStatusesOfNode(node) });
    for (const subject of Object.keys(info.state.subjects ?? {})) {
      const uid = podUidOf(subject);
      if (!replicas.owns(uid) || latest.has(uid)) continue;
      const stored = await jsm.streams.getMessage(streams.podStatus.name, { last_by_subj: subject });
      if (stored === null || !replicas.owns(uid) || latest.has(uid)) continue;
      try {
        latest.set(uid, decodeJson(podStatusMessageSchema, stored.data));
      } catch (err) {
        log.error({ err, subject }, "invalid pod status message dropped");
        continue;
      }
      workers.submit(uid, undefined);
    }
  };
  onMembersChanged = () => {
    cache.retain((uid) => replicas.owns(uid));
    readGained().catch((err: unknown) => log.warn({ err }, "reading the statuses of pods gained from another replica failed"));
  };

  return {
    apiHealthy: () => apiOk,
    replicasHealthy: () => replicas.healthy,
    async stop() {
      eventsSub.unsubscribe();
      await watch.stop();
      await reading;
      // Queued writes are dropped: the stream still holds them for the next start.
      await workers.close();
      await replicas.stop();
    },
  };
}
