// gRPC failures as one typed error, so callers branch on a closed set of code names
// (the kubelet's own checks are mostly "is it NotFound?") instead of numeric statuses.

/** gRPC status code names, indexed by their numeric code (fixed by the gRPC spec). */
export const GRPC_CODE_NAMES = [
  "OK",
  "CANCELLED",
  "UNKNOWN",
  "INVALID_ARGUMENT",
  "DEADLINE_EXCEEDED",
  "NOT_FOUND",
  "ALREADY_EXISTS",
  "PERMISSION_DENIED",
  "RESOURCE_EXHAUSTED",
  "FAILED_PRECONDITION",
  "ABORTED",
  "OUT_OF_RANGE",
  "UNIMPLEMENTED",
  "INTERNAL",
  "UNAVAILABLE",
  "DATA_LOSS",
  "UNAUTHENTICATED",
] as const;

export type GrpcCodeName = (typeof GRPC_CODE_NAMES)[number];

/** Name of a numeric gRPC status; anything outside the spec's range reads as UNKNOWN. */
export function grpcCodeName(code: number): GrpcCodeName {
  return GRPC_CODE_NAMES[code] ?? "UNKNOWN";
}

/** A failed CRI call (or connection attempt). */
export class CriError extends Error {
  override readonly name = "CriError";

  constructor(
    /** gRPC status code name. */
    readonly code: GrpcCodeName,
    /** CRI method, e.g. "RunPodSandbox", or "connect". */
    readonly method: string,
    /** The runtime's (or grpc-js's) own message. */
    readonly details: string,
    options?: ErrorOptions,
  ) {
    super(`CRI ${method}: ${code}: ${details}`, options);
  }
}

/** Shape of grpc-js's ServiceError that we rely on (kept structural: no grpc import needed). */
interface GrpcStatusError {
  code: number;
  details: string;
}

function isGrpcStatusError(err: unknown): err is GrpcStatusError {
  return (
    typeof err === "object" &&
    err !== null &&
    typeof (err as { code?: unknown }).code === "number" &&
    typeof (err as { details?: unknown }).details === "string"
  );
}

/** Wraps whatever a call failed with; the original stays available as `cause`. */
export function toCriError(err: unknown, method: string): CriError {
  if (err instanceof CriError) return err;
  if (isGrpcStatusError(err)) {
    return new CriError(grpcCodeName(err.code), method, err.details, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new CriError("UNKNOWN", method, message, { cause: err });
}

/** True for a CriError with the given code. */
export function hasCode(err: unknown, code: GrpcCodeName): err is CriError {
  return err instanceof CriError && err.code === code;
}

/** The runtime does not know the sandbox/container/image: usually "already gone", not a failure. */
export function isNotFound(err: unknown): err is CriError {
  return hasCode(err, "NOT_FOUND");
}
