// The pod stream's current state for one node: the last message of every pod subject.
import type { NatsConnection } from "@nats-io/transport-node";
import { watchLatest } from "@natslet/bus";
import { podMessageSchema, podUidOf, streams, subjects } from "@natslet/contracts";
import { recordOf, type StreamRecord } from "./reconcile.js";

/**
 * Reads what the stream holds for `node` right now, keyed by pod UID, and stops. An invalid
 * message is reported and left out: it names no pod the plan could act on.
 */
export async function readStreamState(
  nc: NatsConnection,
  node: string,
  onInvalid: (subject: string, err: unknown) => void,
): Promise<Map<string, StreamRecord>> {
  const watch = await watchLatest(nc, streams.pods.name, subjects.podsOfNode(node), podMessageSchema, onInvalid);
  const state = new Map<string, StreamRecord>();
  try {
    const entries = watch.entries[Symbol.asyncIterator]();
    const caughtUp = watch.caughtUp.then(() => null);
    for (;;) {
      // caughtUp resolves once the entry that was last at the start has been taken; the next
      // entry would be a live change, and may never come.
      const next = await Promise.race([entries.next(), caughtUp]);
      if (next === null || next.done) break;
      state.set(podUidOf(next.value.subject), recordOf(next.value.value));
    }
  } finally {
    await watch.stop();
  }
  return state;
}
