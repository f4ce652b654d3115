// One trace per pod change, across every service, in a real Jaeger: what a user debugging a pod
// opens first. The services export OTLP/HTTP to Jaeger; the test reads Jaeger's query API.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { startJaeger, type Jaeger, type JaegerSpan, type JaegerTrace } from "@natslet/testkit";
import { createPod, phaseIs, podName, startNode, waitForPod, type Node } from "./harness.js";

/** Every service a pod with a volume passes through on its way to Running. */
const SERVICES_OF_A_POD_START = ["watcher", "sync-loop", "image-manager", "volume-manager", "runtime-adapter", "status-manager"];

describe("tracing in Jaeger", { timeout: 240_000 }, () => {
  let jaeger: Jaeger;
  let node: Node;

  before(async () => {
    jaeger = await startJaeger();
    node = await startNode({
      // A short batch delay so spans reach Jaeger within the test's patience.
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlpEndpoint, OTEL_BSP_SCHEDULE_DELAY: "200" },
    });
  });
  after(async () => {
    await node?.stop();
    await jaeger?.stop();
  });

  it("a new pod is one trace: watcher → sync-loop → managers → runtime-adapter (CRI calls) → status-manager", async () => {
    const name = podName("traced");
    const created = await createPod(node, name, {
      containers: [{ name: "app", image: node.image, command: ["sh", "-c", "sleep 3600"], volumeMounts: [{ name: "scratch", mountPath: "/scratch" }] }],
      volumes: [{ name: "scratch", emptyDir: {} }],
    });
    const uid = created.metadata?.uid ?? "";
    await waitForPod(node, name, phaseIs("Running"), "Running");

    // The watcher's span for the pod's creation is the root of the trace.
    const trace = await waitForTrace(jaeger, uid, (t) => {
      const services = servicesOf(t);
      return SERVICES_OF_A_POD_START.every((s) => services.has(s)) && criSpans(t).some((s) => s.operationName === "CRI StartContainer");
    });
    const services = servicesOf(trace);
    for (const s of SERVICES_OF_A_POD_START) assert.ok(services.has(s), `spans from ${s} in the trace (has: ${[...services].join(", ")})`);

    // One root: every other span hangs under it (no orphan parents, no second trace glued in).
    const roots = trace.spans.filter((s) => !s.references.some((r) => r.refType === "CHILD_OF"));
    assert.equal(roots.length, 1, `one root span, got ${roots.map((r) => r.operationName).join(", ")}`);
    assert.equal(roots[0]?.operationName, "pod upsert");
    assert.equal(processOf(trace, roots[0]), "watcher");

    // CRI calls are child spans with the pod's and container's attributes.
    const cri = criSpans(trace);
    const sandbox = cri.find((s) => s.operationName === "CRI RunPodSandbox");
    assert.ok(sandbox, `RunPodSandbox span (CRI spans: ${cri.map((s) => s.operationName).join(", ")})`);
    assert.equal(tag(sandbox, "k8s.pod.uid"), uid);
    assert.equal(tag(sandbox, "k8s.pod.name"), name);
    const create = cri.find((s) => s.operationName === "CRI CreateContainer");
    assert.ok(create, "CreateContainer span");
    assert.equal(tag(create, "k8s.container.name"), "app");
    assert.equal(tag(create, "k8s.pod.uid"), uid);
    assert.ok(cri.every((s) => processOf(trace, s) === "runtime-adapter"), "only the runtime-adapter calls the CRI");

    // The pod start SLI counted this pod (creation → running, no pull: the image is present).
    const metrics = await (await fetch(`http://127.0.0.1:${node.natslet.healthPort("sync-loop")}/metrics`)).text();
    const count = Number(/^natslet_pod_start_sli_duration_seconds_count\{[^}]*\} (\d+)$/m.exec(metrics)?.[1]);
    assert.ok(count >= 1, `natslet_pod_start_sli_duration_seconds_count = ${count}`);
    const sum = Number(/^natslet_pod_start_sli_duration_seconds_sum\{[^}]*\} ([\d.e+-]+)$/m.exec(metrics)?.[1]);
    assert.ok(sum > 0 && sum < 60 * count, `SLI sum ${sum} s for ${count} pod(s)`);
  });

  it("a failure sets the span status: a missing image with pull policy Never", async () => {
    const name = podName("traced-fail");
    const created = await createPod(node, name, {
      containers: [{ name: "app", image: "localhost/natslet/absent:1", imagePullPolicy: "Never" }],
    });
    const uid = created.metadata?.uid ?? "";
    await waitForPod(node, name, (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === "ErrImageNeverPull", "ErrImageNeverPull");
    const trace = await waitForTrace(jaeger, uid, (t) => t.spans.some(isError));
    const failed = trace.spans.filter(isError);
    assert.ok(failed.length > 0, "a span with status ERROR");
    assert.ok(
      failed.some((s) => JSON.stringify(s.tags).includes("ErrImageNeverPull") || JSON.stringify(s.tags).includes("not present")),
      `the error says why: ${JSON.stringify(failed.map((s) => ({ op: s.operationName, tags: s.tags })))}`,
    );
  });
});

/** Polls Jaeger for the trace rooted at the watcher's span of this pod's creation. */
async function waitForTrace(jaeger: Jaeger, uid: string, complete: (t: JaegerTrace) => boolean, timeoutMs = 30_000): Promise<JaegerTrace> {
  const deadline = Date.now() + timeoutMs;
  let last: JaegerTrace | undefined;
  while (Date.now() < deadline) {
    const traces = await jaeger.traces("watcher", { tags: { "k8s.pod.uid": uid, "natslet.pod.cause": "added" } });
    last = traces[0];
    if (last && complete(last)) return last;
    await sleep(500);
  }
  const seen = last ? [...servicesOf(last)].join(", ") + ": " + last.spans.map((s) => s.operationName).join(", ") : "no trace";
  throw new Error(`no complete trace for pod ${uid} within ${timeoutMs} ms (${seen})`);
}

function servicesOf(t: JaegerTrace): Set<string> {
  return new Set(t.spans.map((s) => processOf(t, s)));
}

function processOf(t: JaegerTrace, s: JaegerSpan | undefined): string {
  return s ? (t.processes[s.processID]?.serviceName ?? "?") : "?";
}

function criSpans(t: JaegerTrace): JaegerSpan[] {
  return t.spans.filter((s) => s.operationName.startsWith("CRI "));
}

function tag(s: JaegerSpan, key: string): unknown {
  return s.tags.find((t) => t.key === key)?.value;
}

function isError(s: JaegerSpan): boolean {
  return s.tags.some((t) => (t.key === "otel.status_code" && t.value === "ERROR") || (t.key === "error" && t.value === true));
}
