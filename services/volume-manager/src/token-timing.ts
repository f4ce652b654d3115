// When a projected service account token is renewed (kubelet: token.Manager requiresRefresh):
// once 80% of its lifetime has passed, or when it is older than 24 hours.

const MAX_TOKEN_AGE_MS = 24 * 60 * 60 * 1000;

export interface IssuedToken {
  issuedAtMs: number;
  expiresAtMs: number;
}

export function tokenNeedsRefresh(token: IssuedToken, nowMs: number): boolean {
  const ttl = token.expiresAtMs - token.issuedAtMs;
  if (nowMs >= token.expiresAtMs - ttl * 0.2) return true;
  return nowMs - token.issuedAtMs > MAX_TOKEN_AGE_MS;
}
