// CRI failures as natslet's closed error codes: the one place that decides what a gRPC status
// means to a caller on the bus (retry later, give up, or "already gone").
import { NatsletError, type ErrorCode } from "@natslet/contracts";
import { CriError, type GrpcCodeName } from "@natslet/cri";

const CODES: Record<GrpcCodeName, ErrorCode> = {
  NOT_FOUND: "NotFound",
  INVALID_ARGUMENT: "InvalidInput",
  OUT_OF_RANGE: "InvalidInput",
  ALREADY_EXISTS: "Conflict",
  FAILED_PRECONDITION: "Conflict",
  ABORTED: "Conflict",
  UNIMPLEMENTED: "Unsupported",
  DEADLINE_EXCEEDED: "Timeout",
  // containerd answers UNKNOWN for most runtime failures (runc, CNI, mounts): not natslet bugs,
  // and a later sync may well succeed, so they are retryable rather than Internal.
  UNKNOWN: "Unavailable",
  INTERNAL: "Unavailable",
  UNAVAILABLE: "Unavailable",
  CANCELLED: "Unavailable",
  RESOURCE_EXHAUSTED: "Unavailable",
  DATA_LOSS: "Unavailable",
  PERMISSION_DENIED: "Unavailable",
  UNAUTHENTICATED: "Unavailable",
  OK: "Unavailable",
};

/**
 * NatsletErrors pass through; a CriError gets its code, with `reason` (the kubelet's word for
 * the failure, e.g. "CreateContainerError") in front of the runtime's message. Anything else is
 * returned as it is: the bus reports it as Internal, which is what an unexpected error is.
 */
export function toNatsletError(err: unknown, reason?: string): unknown {
  if (err instanceof NatsletError) return err;
  if (err instanceof CriError) {
    const text = reason === undefined ? err.message : `${reason}: ${err.details}`;
    return new NatsletError(CODES[err.code], text, { cause: err });
  }
  return err;
}

/**
 * containerd reserves sandbox and container names before it creates them and refuses a second
 * create with "name ... is reserved for ..." (a plain error, so UNKNOWN): the first create is
 * done or still running, and the caller should look the object up instead.
 */
export function isNameReserved(err: unknown): boolean {
  return err instanceof CriError && /is reserved for/.test(err.details);
}
