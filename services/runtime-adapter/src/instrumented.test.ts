import assert from "node:assert/strict";
import { test } from "node:test";
import { CriError, IMAGE_RPCS, RUNTIME_RPCS, type CallOptions } from "@natslet/cri";
import { initTracing } from "@natslet/telemetry";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { Registry } from "prom-client";
import { instrumentCri, withCriSubject, type Cri } from "./instrumented.js";
import { createMetrics } from "./metrics.js";

// Context propagation (withCriSubject) needs the context manager every service registers.
initTracing("instrumented-test", {});

test("every call is timed and traced; failures are counted by code; the span names the pod and container", async () => {
  const calls: { key: string; req: object; opts: CallOptions | undefined }[] = [];
  const inner = Object.fromEntries(
    Object.keys({ ...RUNTIME_RPCS, ...IMAGE_RPCS }).map((key) => [
      key,
      (req: object, opts?: CallOptions) => {
        calls.push({ key, req, opts });
        if (key === "stopContainer") return Promise.reject(new CriError("NOT_FOUND", "StopContainer", "no such container"));
        return Promise.resolve({ podSandboxId: "sb-1" });
      },
    ]),
  ) as unknown as Cri;
  const exporter = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }).getTracer("t");
  const registry = new Registry();
  const cri = instrumentCri(inner, createMetrics(registry), tracer);

  const reply = await withCriSubject({ podUid: "u1", podName: "web", podNamespace: "default" }, () =>
    withCriSubject({ containerName: "app" }, () => cri.runPodSandbox({ config: {} }, { timeoutMs: 5 })),
  );
  assert.deepEqual(reply, { podSandboxId: "sb-1" });
  assert.deepEqual(calls[0], { key: "runPodSandbox", req: { config: {} }, opts: { timeoutMs: 5 } }, "request and options pass through");
  await assert.rejects(cri.stopContainer({ containerId: "x" }), (err: unknown) => err instanceof CriError && err.code === "NOT_FOUND");

  const spans = exporter.getFinishedSpans();
  assert.deepEqual(spans.map((s) => s.name), ["CRI RunPodSandbox", "CRI StopContainer"]);
  assert.deepEqual(spans[0]?.attributes, {
    "rpc.system": "grpc", "rpc.service": "runtime.v1.RuntimeService", "rpc.method": "RunPodSandbox",
    "k8s.pod.uid": "u1", "k8s.pod.name": "web", "k8s.namespace.name": "default", "k8s.container.name": "app",
  });
  assert.equal(spans[1]?.attributes["rpc.grpc.status_code"], "NOT_FOUND");
  assert.equal(spans[1]?.attributes["k8s.pod.uid"], undefined, "outside withCriSubject: no pod");

  const text = await registry.metrics();
  assert.match(text, /natslet_cri_call_duration_seconds_count\{method="RunPodSandbox"\} 1/);
  assert.match(text, /natslet_cri_call_duration_seconds_count\{method="StopContainer"\} 1/);
  assert.match(text, /natslet_cri_call_errors_total\{method="StopContainer",code="NOT_FOUND"\} 1/);
  assert.doesNotMatch(text, /natslet_cri_call_errors_total\{method="RunPodSandbox"/);
});
