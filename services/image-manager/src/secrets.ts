// Reads a pod's imagePullSecrets from the API server (the image-manager's only API access).
import { ApiException, CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import type { PullSecret } from "./credentials.js";

export interface SecretReader {
  /** The secret, or undefined when it does not exist. */
  get(namespace: string, name: string): Promise<PullSecret | undefined>;
}

export class ApiSecretReader implements SecretReader {
  readonly #core: CoreV1Api;

  constructor(kc: KubeConfig) {
    this.#core = kc.makeApiClient(CoreV1Api);
  }

  async get(namespace: string, name: string): Promise<PullSecret | undefined> {
    try {
      const secret = await this.#core.readNamespacedSecret({ namespace, name });
      return {
        name,
        namespace,
        ...(secret.metadata?.uid !== undefined ? { uid: secret.metadata.uid } : {}),
        ...(secret.type !== undefined ? { type: secret.type } : {}),
        ...(secret.data ? { data: secret.data } : {}),
      };
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return undefined;
      throw err;
    }
  }
}
