// A watch per referenced ConfigMap/Secret (kubelet: configMapAndSecretChangeDetectionStrategy
// Watch): LIST+WATCH of one object (fieldSelector metadata.name=<name> in its namespace) through
// @natslet/kube's Reflector, the object kept in memory. Reads are answered from memory only
// while the watch is in sync: after its LIST and until a relist becomes due (a failed or expired
// watch, a failed LIST). Otherwise `read` says "not known" and the caller GETs, as before.
import type { KubeConfig } from "@kubernetes/client-node";
import { httpListerWatcher, Reflector, type RawObject } from "@natslet/kube";
import type { Logger } from "@natslet/telemetry";
import { nameOf, resourceVersionOf, sourceCollectionPath, sourceKeyString, type SourceKey } from "./source-refs.js";

interface Watched {
  readonly key: SourceKey;
  readonly abort: AbortController;
  /** The object as last seen (null: it does not exist); only meaningful while `synced`. */
  object: RawObject | null;
  /** Whether `object` is current: a LIST arrived and no relist is due since. */
  synced: boolean;
  /** resourceVersion last handed out as a change (undefined: never synced). */
  seenVersion: string | undefined;
  /** The reflector's run loop, awaited on stop. */
  done: Promise<void>;
  /** A failure was logged and not yet followed by a sync (log once per outage, not per retry). */
  failing: boolean;
}

export interface WatchCacheOptions {
  readonly kc: KubeConfig;
  readonly log: Logger;
  /** The object changed (created, modified, deleted, or first seen): the pods using it should be re-read. */
  readonly onChange: (key: SourceKey) => void;
  /** Number of running watches changed (metrics). */
  readonly onWatchCount?: (count: number) => void;
  /** Server-side watch timeout floor (seconds); tests shorten it. */
  readonly minWatchTimeoutSeconds?: number;
}

export class WatchCache {
  readonly #watched = new Map<string, Watched>();

  constructor(private readonly opts: WatchCacheOptions) {}

  /** Starts watching `key` (no-op if watched). */
  start(key: SourceKey): void {
    const id = sourceKeyString(key);
    if (this.#watched.has(id)) return;
    const abort = new AbortController();
    const entry: Watched = { key, abort, object: null, synced: false, seenVersion: undefined, done: Promise.resolve(), failing: false };
    const unsynced = (error: unknown) => {
      entry.synced = false;
      if (!entry.failing) this.opts.log.warn({ err: error, source: id }, "watch of a volume source failed; reading it with GETs until it recovers");
      entry.failing = true;
    };
    const reflector = new Reflector({
      listerWatcher: httpListerWatcher(this.opts.kc, { path: sourceCollectionPath(key), fieldSelector: `metadata.name=${key.name}` }),
      ...(this.opts.minWatchTimeoutSeconds !== undefined ? { minWatchTimeoutSeconds: this.opts.minWatchTimeoutSeconds } : {}),
      hooks: {
        listFailed: (error) => unsynced(error),
        // A watch that ends cleanly is re-watched from where it was: nothing missed, still in
        // sync. A relist means events may have been missed: GETs until the LIST is in.
        watchEnded: (run, next) => {
          if (next.action === "relist") unsynced(run.end.kind === "closed" ? new Error("watch closed without progress") : run.end.error);
        },
      },
    });
    entry.done = (async () => {
      try {
        for await (const event of reflector.run(abort.signal)) {
          if (event.type === "sync") {
            entry.synced = true; // before the change goes out: the resync it triggers reads from here
            this.#update(entry, event.pods.find((o) => nameOf(o) === key.name) ?? null);
            if (entry.failing) this.opts.log.info({ source: id }, "watch of a volume source recovered");
            entry.failing = false;
          } else if (nameOf(event.pod) === key.name) {
            this.#update(entry, event.type === "deleted" ? null : event.pod);
          }
        }
      } catch (err) {
        // The reflector retries everything itself; only a bug lands here. GETs stay correct.
        entry.synced = false;
        this.opts.log.error({ err, source: id }, "watch of a volume source stopped");
      }
    })();
    this.#watched.set(id, entry);
    this.opts.onWatchCount?.(this.#watched.size);
  }

  /** Stops watching `key` and forgets its object. */
  stop(key: SourceKey): void {
    const id = sourceKeyString(key);
    const entry = this.#watched.get(id);
    if (!entry) return;
    this.#watched.delete(id);
    entry.synced = false;
    entry.abort.abort();
    this.opts.onWatchCount?.(this.#watched.size);
  }

  /** The object as the watch has it (null: does not exist), or undefined when not in sync (not watched, not listed yet, failing). */
  read(key: SourceKey): { object: RawObject | null } | undefined {
    const entry = this.#watched.get(sourceKeyString(key));
    return entry?.synced ? { object: entry.object } : undefined;
  }

  /** Running watches. */
  get size(): number {
    return this.#watched.size;
  }

  /** Stops every watch and waits for their loops to end. */
  async close(): Promise<void> {
    const entries = [...this.#watched.values()];
    for (const e of entries) this.stop(e.key);
    await Promise.all(entries.map((e) => e.done));
  }

  #update(entry: Watched, object: RawObject | null): void {
    entry.object = object;
    const version = resourceVersionOf(object);
    // A relist of the same version (or a bookmark-free re-watch) is no change.
    if (entry.seenVersion === version) return;
    entry.seenVersion = version;
    // A stopped key's late event changes nothing any pod reads.
    if (this.#watched.get(sourceKeyString(entry.key)) === entry) this.opts.onChange(entry.key);
  }
}
