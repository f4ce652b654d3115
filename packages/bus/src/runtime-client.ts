// Typed commands to the runtime-adapter (the only holder of the CRI socket) over NATS
// request/reply: every service that needs the runtime uses this one client.
import type { NatsConnection } from "@nats-io/transport-node";
import { runtimeMethods, subjects, type Parser, type RuntimeMethod, type RuntimeReply, type RuntimeRequest } from "@natslet/contracts";
import { request } from "./rpc.js";

/** The kubelet's runtime request timeout. */
export const RUNTIME_TIMEOUT_MS = 120_000;
/** A pull takes as long as it takes: the runtime-adapter's CRI client gives it 10 min. */
const PULL_TIMEOUT_MS = 610_000;

export class RuntimeClient {
  /** `timeoutMs`: for commands without a duration of their own (default the kubelet's 2 min). */
  constructor(
    private readonly nc: NatsConnection,
    private readonly node: string,
    private readonly opts: { timeoutMs?: number } = {},
  ) {}

  call<M extends RuntimeMethod>(method: M, req: RuntimeRequest<M>, timeoutMs = this.#timeoutFor(method, req)): Promise<RuntimeReply<M>> {
    // Indexing the table with a generic key widens to the union of parsers; this one is M's.
    const reply = runtimeMethods[method].reply as Parser<RuntimeReply<M>>;
    return request(this.nc, subjects.runtimeRpc(this.node, method), req, reply, { timeoutMs });
  }

  #timeoutFor(method: RuntimeMethod, req: unknown): number {
    const base = this.opts.timeoutMs ?? RUNTIME_TIMEOUT_MS;
    // A graceful stop may take its whole grace period before the runtime answers.
    if (method === "StopContainer") return (req as RuntimeRequest<"StopContainer">).gracePeriodSeconds * 1000 + base;
    if (method === "PullImage") return Math.max(PULL_TIMEOUT_MS, base);
    return base;
  }
}

/** What callers need of the client (tests hand in their own). */
export type Runtime = Pick<RuntimeClient, "call">;
