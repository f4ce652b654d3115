// The benchmark's own API client, as light as a user's kubectl: one connection pool for all
// requests. @kubernetes/client-node 2.0.1 builds a new undici Agent for every request (a TCP +
// TLS handshake with client-cert auth each, ~10 ms of CPU on this machine); 200 creates and
// deletes fired at once would load the 2 cores the agents are measured on.
import { KubeConfig } from "@kubernetes/client-node";

type RequestContext = Parameters<KubeConfig["applySecurityAuthentication"]>[0];
type Dispatcher = ReturnType<RequestContext["getDispatcher"]>;

export class KeepAliveKubeConfig extends KubeConfig {
  #dispatcher: Dispatcher | null = null;

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    // The first request's dispatcher (built from the kubeconfig's TLS material) serves all.
    if (this.#dispatcher === null) this.#dispatcher = context.getDispatcher();
    else if (this.#dispatcher !== undefined) context.setDispatcher(this.#dispatcher);
  }
}
