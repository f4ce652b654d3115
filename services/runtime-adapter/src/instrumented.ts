// The CRI client with timing, error counting and a span per call, behind the same interfaces:
// a decorator, as the kubelet's kuberuntime/instrumented_services.go wraps its runtime client.
// Nothing else in the service measures CRI calls; it just uses the wrapped client.
import { SpanKind, SpanStatusCode, context, createContextKey, trace, type Attributes, type Tracer } from "@opentelemetry/api";
import { CriError, IMAGE_RPCS, RUNTIME_RPCS, type CallOptions, type ImageService, type RuntimeService } from "@natslet/cri";
import type { Metrics } from "./metrics.js";

/** Both CRI services, as CriClient implements them. */
export type Cri = RuntimeService & ImageService;

/** What a CRI call is about, for its span; set by the handler that makes the calls. */
export interface CriCallSubject {
  podUid?: string;
  podName?: string;
  podNamespace?: string;
  containerName?: string;
}

const SUBJECT_KEY = createContextKey("natslet.runtime-adapter.cri-subject");

/** Runs `fn` with `subject` attached to every CRI call it makes (merged with an outer one). */
export function withCriSubject<T>(subject: CriCallSubject, fn: () => T): T {
  const outer = context.active().getValue(SUBJECT_KEY) as CriCallSubject | undefined;
  return context.with(context.active().setValue(SUBJECT_KEY, { ...outer, ...subject }), fn);
}

function spanAttributes(service: string, rpc: string): Attributes {
  const subject = context.active().getValue(SUBJECT_KEY) as CriCallSubject | undefined;
  // OpenTelemetry semantic conventions: rpc.* and k8s.* attribute names.
  const attrs: Attributes = { "rpc.system": "grpc", "rpc.service": service, "rpc.method": rpc };
  if (subject?.podUid) attrs["k8s.pod.uid"] = subject.podUid;
  if (subject?.podName) attrs["k8s.pod.name"] = subject.podName;
  if (subject?.podNamespace) attrs["k8s.namespace.name"] = subject.podNamespace;
  if (subject?.containerName) attrs["k8s.container.name"] = subject.containerName;
  return attrs;
}

type AnyCall = (req: object, opts?: CallOptions) => Promise<unknown>;

/**
 * Wraps every method of RUNTIME_RPCS and IMAGE_RPCS (the tables @natslet/cri checks against the
 * interfaces, so none is missed). The loop needs one cast each way: TypeScript cannot follow a
 * method name through Object.entries; every wrapped method keeps the inner one's signature.
 */
export function instrumentCri(
  inner: Cri,
  metrics: Pick<Metrics, "criCallDuration" | "criCallErrors">,
  tracer: Tracer = trace.getTracer("@natslet/runtime-adapter"),
): Cri {
  const calls = inner as unknown as Record<string, AnyCall>;
  const wrapped: Record<string, AnyCall> = {};
  const services = [
    ["runtime.v1.RuntimeService", RUNTIME_RPCS],
    ["runtime.v1.ImageService", IMAGE_RPCS],
  ] as const;
  for (const [service, rpcs] of services) {
    for (const [key, rpc] of Object.entries(rpcs)) {
      const call = calls[key];
      if (call === undefined) throw new Error(`CRI client lacks ${key}`);
      wrapped[key] = (req, opts) =>
        tracer.startActiveSpan(`CRI ${rpc}`, { kind: SpanKind.CLIENT, attributes: spanAttributes(service, rpc) }, async (span) => {
          const stopTimer = metrics.criCallDuration.startTimer({ method: rpc });
          try {
            return await call.call(inner, req, opts);
          } catch (err) {
            const code = err instanceof CriError ? err.code : "UNKNOWN";
            metrics.criCallErrors.inc({ method: rpc, code });
            span.setAttribute("rpc.grpc.status_code", code);
            span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
            throw err;
          } finally {
            stopTimer();
            span.end();
          }
        });
    }
  }
  return wrapped as unknown as Cri;
}
