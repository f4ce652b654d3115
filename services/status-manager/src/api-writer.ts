// The status-manager's I/O edge towards the API server: the pod status subresource, the final
// delete and Events. Each call names its failure in terms the caller can act on.
import {
  ApiException, CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig,
} from "@kubernetes/client-node";
import type { EventMessage } from "@natslet/contracts";

export type WriteOutcome = "written" | "gone" | "conflict";

export class ApiWriter {
  readonly #core: CoreV1Api;

  constructor(
    kc: KubeConfig,
    private readonly node: string,
  ) {
    this.#core = kc.makeApiClient(CoreV1Api);
  }

  /**
   * Merge-patches the status subresource. metadata.uid in the patch is a precondition (as the
   * kubelet does it): a pod recreated under the same name is not overwritten.
   */
  async patchStatus(namespace: string, name: string, uid: string, status: Record<string, unknown>): Promise<WriteOutcome> {
    try {
      await this.#core.patchNamespacedPodStatus(
        { name, namespace, body: { metadata: { uid }, status } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
      return "written";
    } catch (err) {
      return outcomeOf(err);
    }
  }

  /** The final delete after graceful termination: grace 0, only this incarnation (uid). */
  async deletePod(namespace: string, name: string, uid: string): Promise<WriteOutcome> {
    try {
      // With a body, the API server reads DeleteOptions from it and ignores the query: the
      // grace period must be in the body, or the pod keeps its pending graceful deletion.
      await this.#core.deleteNamespacedPod({ name, namespace, body: { gracePeriodSeconds: 0, preconditions: { uid } } });
      return "written";
    } catch (err) {
      return outcomeOf(err);
    }
  }

  async recordEvent(event: EventMessage, now: Date): Promise<void> {
    const { involved } = event;
    const namespace = involved.namespace || "default";
    await this.#core.createNamespacedEvent({
      namespace,
      body: {
        metadata: { generateName: `${involved.name}.`, namespace },
        involvedObject: {
          kind: involved.kind,
          apiVersion: "v1",
          name: involved.name,
          namespace: involved.namespace,
          uid: involved.uid,
          ...(involved.fieldPath ? { fieldPath: involved.fieldPath } : {}),
        },
        reason: event.reason,
        message: event.message,
        type: event.type,
        source: { component: "kubelet", host: this.node },
        reportingComponent: "natslet",
        reportingInstance: this.node,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      },
    });
  }
}

function outcomeOf(err: unknown): WriteOutcome {
  if (err instanceof ApiException) {
    if (err.code === 404) return "gone";
    if (err.code === 409) return "conflict"; // uid precondition failed: another pod by that name
  }
  throw err;
}
