import { Registry, collectDefaultMetrics } from "prom-client";

/** One registry per service process, with Node's default process metrics (CPU, RSS, event loop). */
export function createRegistry(service: string, node: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service, node });
  collectDefaultMetrics({ register: registry });
  return registry;
}
