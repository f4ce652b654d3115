// One pull per image at a time, across every replica. The replica that pulls holds a claim in
// KV (created atomically, renewed while it pulls, taken over when its lease runs out: a crashed
// puller delays the others by one lease, never forever). Everyone else — requests in this
// replica, and other replicas — waits for the result the puller writes under the same key.
import type { KV } from "@nats-io/kv";
import { isKvConflict, isLiveEntry } from "@natslet/bus";

export type PullOutcome = { ok: true; imageRef: string } | { ok: false; code: string; message: string };

type ClaimState =
  | { state: "pulling"; owner: string; leaseUntil: number }
  | { state: "done"; owner: string; outcome: PullOutcome };

export interface SharedPullResult {
  outcome: PullOutcome;
  /** Waited for a pull someone else made: in this replica or in another one. */
  joined?: "local" | "remote";
}

export interface SharedPullsOptions {
  kv: KV;
  /** Unique per replica (the claim's owner). */
  owner: string;
  leaseMs: number;
  clock?: () => number;
}

export class SharedPulls {
  readonly #local = new Map<string, Promise<PullOutcome>>();
  readonly #clock: () => number;

  constructor(private readonly opts: SharedPullsOptions) {
    this.#clock = opts.clock ?? Date.now;
  }

  /** Runs `pull` for `key` unless a pull for it is already running somewhere; then waits for that one. */
  async pull(key: string, pull: () => Promise<PullOutcome>): Promise<SharedPullResult> {
    const running = this.#local.get(key);
    if (running) return { outcome: await running, joined: "local" };
    let joined: "remote" | undefined;
    const work = (async () => {
      const result = await this.#claimOrWait(key, pull);
      if (result.joined) joined = "remote";
      return result.outcome;
    })();
    this.#local.set(key, work);
    try {
      const outcome = await work;
      return joined ? { outcome, joined } : { outcome };
    } finally {
      this.#local.delete(key);
    }
  }

  async #claimOrWait(key: string, pull: () => Promise<PullOutcome>): Promise<{ outcome: PullOutcome; joined: boolean }> {
    const { kv } = this.opts;
    for (;;) {
      const entry = await kv.get(key);
      const claim = this.#claimValue();
      try {
        if (!isLiveEntry(entry)) {
          const revision = await kv.create(key, claim);
          return { outcome: await this.#own(key, revision, pull), joined: false };
        }
        const state = parseState(entry.string());
        if (state?.state === "pulling" && state.leaseUntil > this.#clock()) {
          const outcome = await this.#waitFor(key, entry.revision, state.leaseUntil);
          if (outcome) return { outcome, joined: true };
          continue; // the puller's lease ran out: try to take over
        }
        // A finished pull (its waiters have their result) or an abandoned claim: ours now.
        const revision = await kv.update(key, claim, entry.revision);
        return { outcome: await this.#own(key, revision, pull), joined: false };
      } catch (err) {
        if (!isKvConflict(err)) throw err;
        // Another replica claimed first: look again.
      }
    }
  }

  #claimValue(): string {
    return JSON.stringify({ state: "pulling", owner: this.opts.owner, leaseUntil: this.#clock() + this.opts.leaseMs } satisfies ClaimState);
  }

  /** Pulls while renewing the claim; publishes the outcome for the waiters. */
  async #own(key: string, revision: number, pull: () => Promise<PullOutcome>): Promise<PullOutcome> {
    const { kv } = this.opts;
    let rev = revision;
    let renewing = Promise.resolve();
    const timer = setInterval(() => {
      renewing = kv.update(key, this.#claimValue(), rev).then(
        (r) => void (rev = r),
        () => undefined, // lost the claim (taken over after a stall): finish anyway, the result is still right
      );
    }, Math.max(100, Math.floor(this.opts.leaseMs / 3)));
    let outcome: PullOutcome;
    try {
      outcome = await pull();
    } catch (err) {
      outcome = { ok: false, code: "Internal", message: err instanceof Error ? err.message : String(err) };
    } finally {
      clearInterval(timer);
      await renewing;
    }
    await kv.put(key, JSON.stringify({ state: "done", owner: this.opts.owner, outcome } satisfies ClaimState)).catch(() => undefined);
    return outcome;
  }

  /** Waits for the claim at `revision` to finish; undefined when its lease expires first. */
  async #waitFor(key: string, revision: number, leaseUntil: number): Promise<PullOutcome | undefined> {
    const watch = await this.opts.kv.watch({ key });
    let until = leaseUntil;
    let timer: NodeJS.Timeout | undefined;
    const expiry = new Promise<undefined>((resolve) => {
      const check = () => {
        const left = until - this.#clock();
        if (left <= 0) resolve(undefined);
        else timer = setTimeout(check, left + 50);
      };
      check();
    });
    const finished = (async (): Promise<PullOutcome | undefined> => {
      for await (const e of watch) {
        if (e.revision < revision) continue;
        if (e.operation !== "PUT") return undefined; // deleted: nobody pulls any more
        const state = parseState(e.string());
        if (state?.state === "done") return state.outcome;
        if (state?.state === "pulling") until = state.leaseUntil;
      }
      return undefined;
    })();
    try {
      return await Promise.race([finished, expiry]);
    } finally {
      clearTimeout(timer);
      watch.stop();
    }
  }
}

function parseState(text: string): ClaimState | undefined {
  try {
    const v = JSON.parse(text) as ClaimState;
    return v.state === "pulling" || v.state === "done" ? v : undefined;
  } catch {
    return undefined;
  }
}
