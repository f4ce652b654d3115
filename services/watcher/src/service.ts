// The watcher: the node's only pod watch on the API server, publishing each pod's desired state
// to the pod stream (DESIGN.md, services). Started in-process by main.ts and by the tests.
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { ensureStreams, trackNatsConnection } from "@natslet/bus";
import {
  Backoff, podListerWatcher, Reflector, systemClock, type Clock, type ListerWatcher, type ReflectorHooks,
  type ReflectorOptions,
} from "@natslet/kube";
import type { Check, Logger } from "@natslet/telemetry";
import type { Registry } from "prom-client";
import { PodEventHandler } from "./handler.js";
import { createWatcherMetrics, type WatcherMetrics } from "./metrics.js";
import { PodPublisher } from "./publisher.js";
import type { WatcherSettings } from "./settings.js";
import { readStreamState } from "./stream-state.js";

export type WatcherConfig = Pick<WatcherSettings, "nodeName" | "kubeConfig" | "tombstoneTtl">;

export interface WatcherDeps {
  readonly nc: NatsConnection;
  readonly log: Logger;
  /** The watcher's metrics are registered here; one watcher per registry. */
  readonly registry: Registry;
  /** Reflector tuning; the defaults are client-go's. Tests shorten the watch timeout. */
  readonly reflector?: Pick<ReflectorOptions, "minWatchTimeoutSeconds" | "backoff" | "minHealthyWatchMs">;
  /** Default: the pods of settings.nodeName on the API server of settings.kubeConfig. */
  readonly listerWatcher?: ListerWatcher;
  readonly clock?: Clock;
}

export interface Watcher {
  /** For /readyz: NATS answers, and the last LIST or WATCH reached the API server. */
  readonly checks: { readonly nats: Check; readonly apiserver: Check };
  /** Resolves once the first LIST has been reconciled with the stream. */
  readonly synced: Promise<void>;
  /** Stops watching; resolves when the last event in hand has been handled. */
  stop(): Promise<void>;
}

export async function startWatcher(settings: WatcherConfig, deps: WatcherDeps): Promise<Watcher> {
  const { nc, log } = deps;
  const clock = deps.clock ?? systemClock;
  await ensureStreams(nc);
  const metrics = createWatcherMetrics(deps.registry);
  const reflector = new Reflector({
    ...deps.reflector,
    listerWatcher: deps.listerWatcher ?? podListerWatcher(settings.kubeConfig, settings.nodeName),
    clock,
    hooks: reflectorHooks(metrics, log),
  });
  const handler = new PodEventHandler({
    publisher: new PodPublisher(jetstream(nc), settings.nodeName, settings.tombstoneTtl, metrics, log),
    readStream: () =>
      readStreamState(nc, settings.nodeName, (subject, err) =>
        log.warn({ subject, err }, "pod stream message does not match the contract: left out of the sync"),
      ),
    metrics,
    log,
  });

  const abort = new AbortController();
  let markSynced!: () => void;
  const synced = new Promise<void>((resolve) => (markSynced = resolve));

  // The one owner of retries for publishing. A failed publish (NATS away) does not retry that
  // one message: it drops the watch and starts over from a fresh LIST, whose sync republishes
  // whatever the stream lacks — nothing can be lost in between, nothing queues up in memory.
  const loop = (async () => {
    const retry = new Backoff();
    while (!abort.signal.aborted) {
      try {
        for await (const event of reflector.run(abort.signal)) {
          await handler.handle(event);
          if (event.type === "sync") {
            retry.reset();
            markSynced();
          }
        }
      } catch (err) {
        if (abort.signal.aborted) break;
        const retryInMs = retry.next();
        log.error({ err, retryInMs }, "publishing to the pod stream failed: starting over from a fresh LIST");
        await clock.sleep(retryInMs, abort.signal).catch(() => undefined);
      }
    }
  })();

  log.info({ server: settings.kubeConfig.getCurrentCluster()?.server }, "watching pods");
  return {
    checks: {
      nats: trackNatsConnection(nc),
      apiserver: () => reflector.healthy,
    },
    synced,
    async stop() {
      abort.abort();
      await loop;
    },
  };
}

function reflectorHooks(metrics: WatcherMetrics, log: Logger): ReflectorHooks {
  return {
    listed(reason, pods) {
      metrics.relists.inc({ reason });
      log.info({ reason, pods }, "listed pods");
    },
    listFailed(err, retryInMs) {
      log.warn({ err, retryInMs }, "listing pods failed");
    },
    watchEnded(run, next) {
      metrics.watchRestarts.inc({ end: run.end.kind });
      const fields = { end: run.end.kind, events: run.events, durationMs: Math.round(run.durationMs), next };
      if (run.end.kind === "closed") log.debug(fields, "pod watch ended");
      else log.warn({ ...fields, err: run.end.error }, "pod watch ended");
    },
  };
}
