// Whether the NATS connection is up right now, for /readyz. nats.js reconnects forever on its
// own (connectBus), so isClosed() stays false while the server is away: track the status events.
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
