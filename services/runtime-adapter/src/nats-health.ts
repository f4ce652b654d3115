// Whether the NATS connection is up right now. nats.js reconnects forever on its own
// (connectBus); readiness should still say "no" while it is away.
import type { NatsConnection } from "@nats-io/transport-node";

export function trackNatsConnection(nc: NatsConnection): () => boolean {
  let connected = true;
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === "disconnect") connected = false;
      else if (s.type === "reconnect") connected = true;
    }
  })().catch(() => {
    connected = false;
  });
  return () => connected && !nc.isClosed();
}
