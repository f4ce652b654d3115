import type { NatsConnection } from "@nats-io/transport-node";
import { request } from "@natslet/bus";
import { runtimeMethods, subjects, type Parser, type RuntimeMethod, type RuntimeReply, type RuntimeRequest } from "@natslet/contracts";

/** The kubelet's runtime request timeout; graceful stops get longer. */
const DEFAULT_TIMEOUT_MS = 120_000;

/** Typed commands to the runtime-adapter over NATS request/reply. */
export class RuntimeClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly node: string,
  ) {}

  call<M extends RuntimeMethod>(method: M, req: RuntimeRequest<M>, timeoutMs = timeoutFor(method, req)): Promise<RuntimeReply<M>> {
    // Indexing the table with a generic key widens to the union of parsers; this one is M's.
    const reply = runtimeMethods[method].reply as Parser<RuntimeReply<M>>;
    return request(this.nc, subjects.runtimeRpc(this.node, method), req, reply, { timeoutMs });
  }
}

function timeoutFor(method: RuntimeMethod, req: unknown): number {
  if (method === "StopContainer") {
    const grace = (req as RuntimeRequest<"StopContainer">).gracePeriodSeconds;
    return grace * 1000 + DEFAULT_TIMEOUT_MS;
  }
  return DEFAULT_TIMEOUT_MS;
}
