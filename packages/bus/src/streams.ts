import {
  DeliverPolicy, DiscardPolicy, RetentionPolicy, StorageType, jetstream, jetstreamManager,
  type JetStreamClient, type StreamConfig,
} from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { streams, type Parser } from "@natslet/contracts";
import { context } from "@opentelemetry/api";
import { decodeJson, encodeJson } from "./codec.js";
import { countDeadLetter } from "./metrics.js";
import { headersWithTrace, traceContextOf } from "./trace-headers.js";

/**
 * The desired-state streams keep only the last message per subject (one subject per pod): a
 * consumer that starts from scratch reads exactly the current state of every pod — level-
 * triggered, not a replay of history. Tombstones expire by per-message TTL (server ≥ 2.11).
 */
function latestPerSubject(name: string, subjects: readonly string[]): Partial<StreamConfig> & { name: string } {
  return {
    name,
    subjects: [...subjects],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_msgs_per_subject: 1,
    discard: DiscardPolicy.Old,
    allow_msg_ttl: true,
    num_replicas: 1,
  };
}

/** Creates natslet's streams, or updates them to this config; safe to call from every service. */
export async function ensureStreams(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for (const s of [streams.pods, streams.podStatus]) {
    const config = latestPerSubject(s.name, s.subjects);
    try {
      await jsm.streams.info(s.name);
      await jsm.streams.update(s.name, config);
    } catch (err) {
      if (!/stream not found/i.test((err as Error).message)) throw err;
      try {
        await jsm.streams.add(config);
      } catch (addErr) {
        // Another service created it in the meantime.
        if (!/already in use|already exists/i.test((addErr as Error).message)) throw addErr;
      }
    }
  }
}

export interface PublishOptions {
  /** Message TTL, e.g. "1h" (tombstones). */
  ttl?: string;
}

/** Publishes the latest state for a subject into its stream, with the active trace context. */
export async function publishLatest(
  js: JetStreamClient,
  subject: string,
  body: unknown,
  opts: PublishOptions = {},
): Promise<number> {
  const ack = await js.publish(subject, encodeJson(body), {
    headers: headersWithTrace(),
    ...(opts.ttl === undefined ? {} : { ttl: opts.ttl }),
  });
  return ack.seq;
}

export interface LatestEntry<T> {
  subject: string;
  seq: number;
  /** The trace context the publisher sent. */
  traceContext: ReturnType<typeof traceContextOf>;
  value: T;
}

export interface LatestWatch<T> {
  /** Entries as they arrive: first the current state of every subject, then every change. */
  entries: AsyncIterable<LatestEntry<T>>;
  /** Resolves once the current state has been delivered (all entries that existed at start). */
  caughtUp: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Reads the last message of every subject matching `filter`, then follows changes, through an
 * ordered consumer (no server-side state, nothing to ack, resumes by itself after reconnects).
 * An invalid message is handed to `onInvalid` and skipped: it never stops the watch.
 */
export async function watchLatest<T>(
  nc: NatsConnection,
  stream: string,
  filter: string,
  parser: Parser<T>,
  onInvalid: (subject: string, err: unknown) => void,
): Promise<LatestWatch<T>> {
  const js = jetstream(nc);
  const consumer = await js.consumers.get(stream, {
    filter_subjects: [filter],
    deliver_policy: DeliverPolicy.LastPerSubject,
  });
  const info = await consumer.info(true);
  let markCaughtUp!: () => void;
  const caughtUp = new Promise<void>((resolve) => (markCaughtUp = resolve));
  if (info.num_pending === 0) markCaughtUp();
  const messages = await consumer.consume();

  async function* entries(): AsyncGenerator<LatestEntry<T>, void, undefined> {
    for await (const m of messages) {
      try {
        const value = decodeJson(parser, m.data);
        yield { subject: m.subject, seq: m.seq, traceContext: traceContextOf(m.headers), value };
      } catch (err) {
        countDeadLetter(m.subject, "invalid");
        onInvalid(m.subject, err);
      } finally {
        if (m.info.pending === 0) markCaughtUp();
      }
    }
  }
  const iterator = entries();
  return {
    entries: iterator,
    caughtUp,
    async stop() {
      // close() alone waits for the reader to drain; a reader parked on a yield never does.
      messages.stop();
      await iterator[Symbol.asyncIterator]().return?.(undefined);
      await messages.closed();
    },
  };
}

/** Runs `fn` inside the trace context a stream entry carried. */
export function withEntryContext<R>(entry: { traceContext: ReturnType<typeof traceContextOf> }, fn: () => R): R {
  return context.with(entry.traceContext, fn);
}
