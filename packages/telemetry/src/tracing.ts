import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";

export interface Tracing {
  /** Whether spans leave the process (an OTLP endpoint is configured). */
  readonly exporting: boolean;
  shutdown(): Promise<void>;
}

/**
 * Registers context tracking and W3C propagation (always: trace context must flow through a
 * service even when it exports nothing), and an OTLP/HTTP exporter when
 * OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT) is set, per the OTel conventions.
 */
export function initTracing(service: string, env: Readonly<Record<string, string | undefined>> = process.env): Tracing {
  const endpoint = env["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] ?? env["OTEL_EXPORTER_OTLP_ENDPOINT"];
  const spanProcessors: SpanProcessor[] = endpoint ? [new BatchSpanProcessor(new OTLPTraceExporter())] : [];
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": env["OTEL_SERVICE_NAME"] ?? service }),
    spanProcessors,
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  trace.setGlobalTracerProvider(provider);
  return {
    exporting: spanProcessors.length > 0,
    shutdown: () => provider.shutdown(),
  };
}
