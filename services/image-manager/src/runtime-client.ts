import type { NatsConnection } from "@nats-io/transport-node";
import { request } from "@natslet/bus";
import { runtimeMethods, subjects, type Parser, type RuntimeMethod, type RuntimeReply, type RuntimeRequest } from "@natslet/contracts";

const DEFAULT_TIMEOUT_MS = 120_000;
/** The kubelet gives a pull as long as it takes; the CRI client's own pull deadline is 10 min. */
const PULL_TIMEOUT_MS = 610_000;

/** The runtime-adapter commands the image-manager uses, over NATS request/reply. */
export class RuntimeClient {
  constructor(
    private readonly nc: NatsConnection,
    private readonly node: string,
  ) {}

  call<M extends RuntimeMethod>(method: M, req: RuntimeRequest<M>): Promise<RuntimeReply<M>> {
    // Indexing the table with a generic key widens to the union of parsers; this one is M's.
    const reply = runtimeMethods[method].reply as Parser<RuntimeReply<M>>;
    const timeoutMs = method === "PullImage" ? PULL_TIMEOUT_MS : DEFAULT_TIMEOUT_MS;
    return request(this.nc, subjects.runtimeRpc(this.node, method), req, reply, { timeoutMs });
  }
}

export type Runtime = Pick<RuntimeClient, "call">;
