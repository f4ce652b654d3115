// Pods in a real API server, for integration tests: create on a node, change, delete.
// Through client-node's typed API, which is fine for writing; reading goes through the reflector.
import { CoreV1Api, PatchStrategy, setHeaderOptions, type KubeConfig, type V1Pod } from "@kubernetes/client-node";

export interface PodRef {
  readonly name: string;
  readonly namespace: string;
  readonly uid: string;
}

export class TestPods {
  readonly #core: CoreV1Api;
  #count = 0;

  constructor(
    kc: KubeConfig,
    readonly namespace = "default",
  ) {
    this.#core = kc.makeApiClient(CoreV1Api);
  }

  /** A pod already bound to `nodeName` (no scheduler involved), with a unique name. */
  async create(nodeName: string, prefix = "p", labels: Record<string, string> = {}): Promise<PodRef> {
    this.#count += 1;
    const body: V1Pod = {
      metadata: { name: `${prefix}-${this.#count}-${Date.now().toString(36)}`, labels },
      spec: { nodeName, containers: [{ name: "c", image: "localhost/natslet/busybox:test" }] },
    };
    const pod = await this.#core.createNamespacedPod({ namespace: this.namespace, body });
    return refOf(pod);
  }

  /** Sets a label: a MODIFIED event with a new resourceVersion. */
  async label(pod: PodRef, key: string, value: string): Promise<string> {
    const patched = await this.#core.patchNamespacedPod(
      { name: pod.name, namespace: pod.namespace, body: { metadata: { labels: { [key]: value } } } },
      // Without an explicit content type client-node sends one the API server refuses (415).
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    return patched.metadata?.resourceVersion ?? "";
  }

  /**
   * Deletes at once (grace 0). A pod bound to a node is otherwise only marked for deletion
   * and waits for its kubelet, which these tests do not run.
   */
  async remove(pod: PodRef): Promise<void> {
    await this.#core.deleteNamespacedPod({ name: pod.name, namespace: pod.namespace, gracePeriodSeconds: 0 });
  }
}

function refOf(pod: V1Pod): PodRef {
  const { name, namespace, uid } = pod.metadata ?? {};
  if (!name || !namespace || !uid) throw new Error("the API server returned a pod without name, namespace or uid");
  return { name, namespace, uid };
}
