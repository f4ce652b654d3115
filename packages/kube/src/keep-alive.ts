// One connection pool for all of a client's requests, as kubectl has. @kubernetes/client-node
// 2.0.1 builds a new undici Agent for every request: a TCP + TLS handshake with client-cert auth
// each, ~10 ms of CPU on this machine. The benchmark found the status-manager spending as much
// CPU on that as the whole kubelet; with one pool a GET went from 16.5 to 5.6 ms.
import { KubeConfig } from "@kubernetes/client-node";

type RequestContext = Parameters<KubeConfig["applySecurityAuthentication"]>[0];
type Dispatcher = ReturnType<RequestContext["getDispatcher"]>;

export class KeepAliveKubeConfig extends KubeConfig {
  #dispatcher: Dispatcher | null = null;

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    // The first request's dispatcher (built from the kubeconfig's TLS material) serves all.
    // Credentials in headers (tokens, which may rotate) are still applied per request above.
    if (this.#dispatcher === null) this.#dispatcher = context.getDispatcher();
    else if (this.#dispatcher !== undefined) context.setDispatcher(this.#dispatcher);
  }
}
