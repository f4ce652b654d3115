// The closed set of error codes that cross the bus. A reply header carries the code; callers
// branch on it, never on message text (virtual-kubelet's errdefs, nats services' error headers).
export const ERROR_CODES = [
  "InvalidInput", // the request failed validation: retrying the same request cannot help
  "NotFound", // the object named does not exist (any more)
  "Conflict", // the object exists in a state that forbids the operation
  "Unsupported", // this node cannot do what was asked (e.g. a volume type it lacks)
  "Unavailable", // a dependency (CRI, API server) is down: retry later
  "Timeout", // the operation or a dependency did not answer in time: retry later
  "Internal", // a bug; logged with the trace id on the serving side
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class NatsletError extends Error {
  override readonly name = "NatsletError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isErrorCode(value: string): value is ErrorCode {
  return (ERROR_CODES as readonly string[]).includes(value);
}

/** Retrying later may succeed for these codes; for the others the caller must change something. */
export function isRetryable(code: ErrorCode): boolean {
  return code === "Unavailable" || code === "Timeout" || code === "Internal";
}

export function hasErrorCode(err: unknown, code: ErrorCode): boolean {
  return err instanceof NatsletError && err.code === code;
}
