import { connect, type NatsConnection } from "@nats-io/transport-node";
import type { Registry } from "prom-client";
import { registerBusMetrics } from "./metrics.js";

export interface BusOptions {
  /** nats://host:port, comma-separated for a cluster. */
  servers: string;
  /** Shows up in the server's connection list (`nats server report connections`). */
  name: string;
  /** Where the bus's own metrics (request latency, dead letters) go: the service's registry. */
  registry?: Registry;
}

/**
 * Connects the way a long-running service must: wait for the server on start-up and never
 * give up reconnecting (nats.js defaults to 10 attempts, after which the client is dead).
 */
export function connectBus(opts: BusOptions): Promise<NatsConnection> {
  if (opts.registry) registerBusMetrics(opts.registry);
  return connect({
    servers: opts.servers.split(",").map((s) => s.trim()).filter(Boolean),
    name: opts.name,
    maxReconnectAttempts: -1,
    waitOnFirstConnect: true,
    reconnectTimeWait: 500,
  });
}
