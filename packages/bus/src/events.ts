// Kubernetes Events from any service: published on natslet.event.<node>, recorded in the API
// server by the status-manager. Fire and forget, like the kubelet's event recorder.
import type { NatsConnection } from "@nats-io/transport-node";
import { subjects, type EventMessage } from "@natslet/contracts";
import { encodeJson } from "./codec.js";
import { headersWithTrace } from "./trace-headers.js";

export interface PodRef {
  uid: string;
  namespace: string;
  name: string;
}

export class EventPublisher {
  constructor(
    private readonly nc: NatsConnection,
    private readonly nodeName: string,
  ) {}

  /** An Event about a pod, or about one of its containers (`fieldPath` as the kubelet sets it). */
  pod(pod: PodRef, type: EventMessage["type"], reason: string, message: string, container?: string): void {
    this.#publish({
      type,
      reason,
      message,
      involved: {
        kind: "Pod",
        namespace: pod.namespace,
        name: pod.name,
        uid: pod.uid,
        ...(container ? { fieldPath: `spec.containers{${container}}` } : {}),
      },
    });
  }

  /** An Event about the node (the kubelet's node reference: the Node's UID is its name). */
  node(type: EventMessage["type"], reason: string, message: string): void {
    this.#publish({ type, reason, message, involved: { kind: "Node", namespace: "", name: this.nodeName, uid: this.nodeName } });
  }

  #publish(event: EventMessage): void {
    this.nc.publish(subjects.events(this.nodeName), encodeJson(event), { headers: headersWithTrace() });
  }
}
