// Errors from the API server edge. Callers branch on `status`/`reason` (the API server's Status
// object), never on message text — except for the one case client-go matches on text too.

/** A failed request, or an ERROR event inside a watch, carrying the API server's Status. */
export class KubeApiError extends Error {
  override readonly name = "KubeApiError";
  constructor(
    /** The HTTP status (or the Status object's `code` for an ERROR watch event). */
    readonly status: number,
    /** The Status object's machine-readable `reason`, e.g. "Expired", "NotFound". */
    readonly reason: string | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** The API server answered with something that is not the JSON it promises (a bug or a proxy). */
export class MalformedResponseError extends Error {
  override readonly name = "MalformedResponseError";
}

/**
 * The resourceVersion a watch started from is no longer in the API server's history: only a
 * new LIST can continue (client-go: isExpiredError → IsResourceExpired || IsGone). Older API
 * servers sent 410 with reason "Expired" or "Gone"; some proxies keep only the text.
 */
export function isResourceExpired(err: unknown): boolean {
  if (!(err instanceof KubeApiError)) return false;
  return err.status === 410 || err.reason === "Expired" || err.reason === "Gone" || /too old resource version/i.test(err.message);
}

/** A KubeApiError from a metav1.Status object (or whatever JSON stood in its place). */
export function errorFromStatus(httpStatus: number, status: unknown): KubeApiError {
  const fields = typeof status === "object" && status !== null ? (status as Record<string, unknown>) : {};
  const code = typeof fields["code"] === "number" ? fields["code"] : httpStatus;
  const reason = typeof fields["reason"] === "string" && fields["reason"] !== "" ? fields["reason"] : undefined;
  const message = typeof fields["message"] === "string" && fields["message"] !== "" ? fields["message"] : `HTTP ${code}`;
  return new KubeApiError(code, reason, message);
}
