import type { NatsConnection } from "@nats-io/transport-node";
import { encodeJson, headersWithTrace } from "@natslet/bus";
import { subjects, type EventMessage } from "@natslet/contracts";

export interface PodRef {
  uid: string;
  namespace: string;
  name: string;
}

/** Kubernetes Events about pods' images and the node's image GC, recorded by the status-manager. */
export interface ImageEvents {
  pod(pod: PodRef, container: string, type: EventMessage["type"], reason: string, message: string): void;
  node(type: EventMessage["type"], reason: string, message: string): void;
}

export class BusImageEvents implements ImageEvents {
  constructor(
    private readonly nc: NatsConnection,
    private readonly nodeName: string,
  ) {}

  pod(pod: PodRef, container: string, type: EventMessage["type"], reason: string, message: string): void {
    this.#publish({
      type,
      reason,
      message,
      involved: { kind: "Pod", namespace: pod.namespace, name: pod.name, uid: pod.uid, fieldPath: `spec.containers{${container}}` },
    });
  }

  node(type: EventMessage["type"], reason: string, message: string): void {
    // The kubelet's node reference: the Node's UID is the node name (kubelet.go nodeRef).
    this.#publish({ type, reason, message, involved: { kind: "Node", namespace: "", name: this.nodeName, uid: this.nodeName } });
  }

  #publish(event: EventMessage): void {
    this.nc.publish(subjects.events(this.nodeName), encodeJson(event), { headers: headersWithTrace() });
  }
}
