// Pull records and pull intents in the KV bucket natslet-image-credentials, shared by every
// replica. Records never expire on their own: an image without one counts as preloaded, so
// losing a record would open the image to every pod. Writes merge with compare-and-set.
import { randomUUID } from "node:crypto";
import type { KV } from "@nats-io/kv";
import { token } from "@natslet/contracts";
import { isKvConflict } from "@natslet/bus";
import { getJson, hashToken } from "./kv-state.js";
import { mergeCredentials, type PullCredentials, type PulledRecord } from "./pull-records.js";

export const recordKeys = {
  /** One record per image ID of the node. */
  pulled: (node: string, imageRef: string) => `pulled.${token(node, "node name")}.${hashToken(imageRef)}`,
  pulledOfNode: (node: string) => `pulled.${token(node, "node name")}.*`,
  /** One key per pull under way (normalised image name): a crash leaves it, and the image stays "pulled by us". */
  intents: (node: string, image: string) => `intent.${token(node, "node name")}.${hashToken(image)}`,
} as const;

export class PullRecordStore {
  constructor(
    private readonly kv: KV,
    private readonly node: string,
    private readonly clock: () => number = Date.now,
  ) {}

  async get(imageRef: string): Promise<PulledRecord | undefined> {
    return (await getJson<PulledRecord>(this.kv, recordKeys.pulled(this.node, imageRef)))?.value;
  }

  /**
   * Adds `credentials` for `repository` to the image's record (no write when already there).
   * `touch` (a pull just landed the image) writes anyway, with a fresh `updated`: prune() keeps
   * records changed after it listed the images, so a re-pull of an image GC had just removed
   * keeps its record even when its credentials were already in it.
   */
  async record(imageRef: string, repository: string, credentials: PullCredentials, opts: { touch?: boolean } = {}): Promise<void> {
    const key = recordKeys.pulled(this.node, imageRef);
    for (let attempt = 0; ; attempt++) {
      const current = await getJson<PulledRecord>(this.kv, key);
      const now = this.clock();
      const merged = mergeCredentials(current?.value, imageRef, repository, credentials, now);
      if (!merged.changed && !opts.touch) return;
      const record: PulledRecord = merged.changed ? merged.record : { ...merged.record, updated: now };
      try {
        if (current === undefined) await this.kv.create(key, JSON.stringify(record));
        else await this.kv.update(key, JSON.stringify(record), current.revision);
        return;
      } catch (err) {
        // Another replica wrote the record first: merge into theirs.
        if (!isKvConflict(err) || attempt >= 20) throw err;
      }
    }
  }

  /** Whether a pull of `image` is under way (or crashed before its record was written). */
  async intentExists(image: string): Promise<boolean> {
    const keys = await this.kv.keys(`${recordKeys.intents(this.node, image)}.*`);
    const first = await keys[Symbol.asyncIterator]().next();
    keys.stop();
    return first.done !== true;
  }

  /**
   * Runs a pull with an intent recorded (kubelet: RecordPullIntent), so an image whose record is
   * not written yet is not taken for a preloaded one. The intent is dropped only when `pull`
   * says its record is safe (written, or the pull failed); otherwise it stays, failing safe.
   */
  async withIntent<T>(image: string, pull: () => Promise<{ value: T; dropIntent: boolean }>): Promise<T> {
    const key = `${recordKeys.intents(this.node, image)}.${randomUUID().replace(/-/g, "")}`;
    await this.kv.put(key, JSON.stringify({ since: this.clock() }));
    const { value, dropIntent } = await pull();
    if (dropIntent) await this.kv.purge(key).catch(() => undefined);
    return value;
  }

  /**
   * Drops the records of images no longer on the node (kubelet: PruneUnknownRecords), only those
   * last changed before `listedAt` (when the image list was asked for): a pull that finished
   * after the list keeps its record.
   */
  async prune(presentImageIds: ReadonlySet<string>, listedAt: number): Promise<number> {
    let pruned = 0;
    const keys = await this.kv.keys(recordKeys.pulledOfNode(this.node));
    const all: string[] = [];
    for await (const k of keys) all.push(k);
    for (const key of all) {
      const entry = await getJson<PulledRecord>(this.kv, key);
      if (entry === undefined || presentImageIds.has(entry.value.imageRef) || entry.value.updated >= listedAt) continue;
      await this.kv.delete(key, { previousSeq: entry.revision }).then(
        () => void pruned++,
        () => undefined, // changed meanwhile: kept
      );
    }
    return pruned;
  }
}
