// Asks the runtime-adapter (the only holder of the CRI socket) how the runtime is.
import type { NatsConnection } from "@nats-io/transport-node";
import { RuntimeClient } from "@natslet/bus";
import type { Logger } from "@natslet/telemetry";
import type { RuntimeReading } from "./status-loop.js";

/** Short: a status check every 10 s must not hang on a runtime that does not answer. */
const RUNTIME_STATUS_TIMEOUT_MS = 5_000;

export function runtimeReader(nc: NatsConnection, node: string, log: Logger): () => Promise<RuntimeReading> {
  const runtime = new RuntimeClient(nc, node, { timeoutMs: RUNTIME_STATUS_TIMEOUT_MS });
  return async () => {
    try {
      const reply = await runtime.call("RuntimeStatus", {});
      return { state: { up: true, conditions: reply.conditions }, version: reply.runtimeVersion };
    } catch (err) {
      log.debug({ err }, "runtime status unavailable");
      return { state: { up: false } };
    }
  };
}
