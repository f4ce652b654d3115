// The bus edge: one handler per runtime command. serve() (packages/bus) validates the request
// and turns thrown errors into coded replies; here each handler gets its log fields and CRI
// span attributes, calls the logic, and maps CRI failures to natslet's error codes.
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { serve } from "@natslet/bus";
import {
  NatsletError, ValidationError, queues, runtimeMethods, subjects, type ErrorCode, type Parser, type Pod, type RuntimeMethod, type RuntimeReply,
  type RuntimeRequest,
} from "@natslet/contracts";
import type { Logger } from "@natslet/telemetry";
import { ensureContainer, removeContainer, stopContainer } from "./containers.js";
import { toNatsletError } from "./cri-errors.js";
import { createImageHandlers } from "./image-handlers.js";
import { createNodeApiHandlers } from "./node-api-handlers.js";
import { withCriSubject, type CriCallSubject } from "./instrumented.js";
import type { Observer } from "./observe.js";
import type { Runtime } from "./runtime.js";
import { runtimeStatus } from "./runtime-status.js";
import { ensureSandbox, removeSandbox, stopSandbox } from "./sandboxes.js";

export type Handlers = { [M in RuntimeMethod]: (req: RuntimeRequest<M>) => Promise<RuntimeReply<M>> };
/** The handlers of a subset of the methods (one file per client service). */
export type HandlersOf<Methods extends object> = { [M in keyof Methods & RuntimeMethod]: Handlers[M] };

export function createHandlers(rt: Runtime, observer: Observer): Handlers {
  return {
    ...createImageHandlers(rt),
    ...createNodeApiHandlers(rt, observer),
    GetPod: (req) => observer.pod(req.uid),
    ListPods: () => observer.node(),
    EnsureSandbox: (req) => ensureSandbox(rt, req),
    EnsureContainer: (req) => ensureContainer(rt, req),
    StopContainer: (req) => stopContainer(rt, req),
    RemoveContainer: (req) => removeContainer(rt, req),
    StopSandbox: (req) => stopSandbox(rt, req),
    RemoveSandbox: (req) => removeSandbox(rt, req),
    RuntimeStatus: () => runtimeStatus(rt),
  };
}

/** Who a request is about: for log lines (pod_namespace/pod_name/pod_uid) and CRI spans. */
function subjectOf(req: object): CriCallSubject & { containerId?: string; sandboxId?: string } {
  const r = req as Partial<{ pod: Pod; uid: string; podUid: string; name: string; containerId: string; sandboxId: string }>;
  const meta = r.pod?.metadata;
  return {
    ...(meta ? { podUid: meta.uid, podName: meta.name, podNamespace: meta.namespace } : {}),
    ...(r.uid !== undefined ? { podUid: r.uid } : {}),
    ...(r.podUid !== undefined && r.podUid !== "" ? { podUid: r.podUid } : {}),
    ...(meta && r.name !== undefined ? { containerName: r.name } : {}),
    ...(r.containerId !== undefined ? { containerId: r.containerId } : {}),
    ...(r.sandboxId !== undefined ? { sandboxId: r.sandboxId } : {}),
  };
}

/** Requests being handled, so shutdown can wait for them after unsubscribing. */
export class InFlight {
  readonly #pending = new Set<Promise<unknown>>();

  track<T>(work: Promise<T>): Promise<T> {
    this.#pending.add(work);
    void work.then(
      () => this.#pending.delete(work),
      () => this.#pending.delete(work),
    );
    return work;
  }

  async settled(): Promise<void> {
    await Promise.allSettled([...this.#pending]);
  }
}

/** Serves every runtime command in the runtime-adapter queue group. */
export function serveRuntime(nc: NatsConnection, node: string, handlers: Handlers, log: Logger, inFlight: InFlight): Subscription[] {
  const onError = (err: unknown, code: ErrorCode, subject: string): void => {
    // Handler failures are logged in handle(), with the pod; here only rejected input and
    // subscription errors, which never reach a handler.
    if (err instanceof ValidationError) log.warn({ subject, code, err: err.message }, "rejected invalid request");
    else if (!(err instanceof NatsletError)) log.error({ subject, code, err }, "subscription error");
  };
  const one = <M extends RuntimeMethod>(method: M): Subscription => {
    // Indexing the table with a generic key widens to the union of parsers; this one is M's.
    const request = runtimeMethods[method].request as Parser<RuntimeRequest<M>>;
    const handler: Handlers[M] = handlers[method];
    return serve(nc, { subject: subjects.runtimeRpc(node, method), queue: queues.runtimeAdapter, request, onError }, (req) =>
      inFlight.track(handle(method, req, handler, log)),
    );
  };
  return (Object.keys(runtimeMethods) as RuntimeMethod[]).map((method) => one(method));
}

async function handle<Req extends object, Rep>(method: string, req: Req, handler: (req: Req) => Promise<Rep>, log: Logger): Promise<Rep> {
  const subject = subjectOf(req);
  const reqLog = log.child({
    method,
    ...(subject.podNamespace !== undefined ? { pod_namespace: subject.podNamespace } : {}),
    ...(subject.podName !== undefined ? { pod_name: subject.podName } : {}),
    ...(subject.podUid !== undefined ? { pod_uid: subject.podUid } : {}),
    ...(subject.containerName !== undefined ? { container: subject.containerName } : {}),
    ...(subject.containerId !== undefined ? { container_id: subject.containerId } : {}),
    ...(subject.sandboxId !== undefined ? { sandbox_id: subject.sandboxId } : {}),
  });
  const started = performance.now();
  try {
    const reply = await withCriSubject(subject, () => handler(req));
    reqLog.debug({ ms: Math.round(performance.now() - started) }, "done");
    return reply;
  } catch (err) {
    const ms = Math.round(performance.now() - started);
    const mapped = toNatsletError(err);
    if (mapped instanceof NatsletError) {
      reqLog.warn({ code: mapped.code, ms, err: mapped.message }, "failed");
      throw mapped;
    }
    // Not a failure the code knows about: a bug. Logged in full here; the caller gets Internal.
    reqLog.error({ code: "Internal", ms, err }, "failed unexpectedly");
    throw new NatsletError("Internal", err instanceof Error ? err.message : String(err), { cause: err });
  }
}
