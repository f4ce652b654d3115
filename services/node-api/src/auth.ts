// Who is calling and may they: the kubelet's authentication (client certificate against the
// configured CA, else a bearer token checked with a TokenReview, else anonymous if enabled) and
// authorisation (a SubjectAccessReview on nodes/<subresource> of this node), with the kubelet's
// cache lifetimes (webhook token cache 2 min; authorised 5 min, refused 30 s).
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import { AuthenticationV1Api, AuthorizationV1Api, type KubeConfig } from "@kubernetes/client-node";

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export type AuthnResult = { user: UserInfo; via: "certificate" | "token" | "anonymous" } | { error: string };

export interface AuthOptions {
  /** Whether requests without credentials pass as system:anonymous (kubelet --anonymous-auth). */
  anonymous: boolean;
  tokenTtlMs?: number;
  allowedTtlMs?: number;
  deniedTtlMs?: number;
  now?: () => number;
}

/** The seam to the API server's review APIs (tests of the cache logic can fake it). */
export interface ReviewApi {
  tokenReview(token: string): Promise<UserInfo | undefined>;
  /** Whether `user` may `verb` nodes/<subresource> named `node`; with the reason when not. */
  accessReview(user: UserInfo, verb: string, node: string, subresource: string): Promise<{ allowed: boolean; reason: string }>;
}

export function kubeReviewApi(kc: KubeConfig): ReviewApi {
  const authn = kc.makeApiClient(AuthenticationV1Api);
  const authz = kc.makeApiClient(AuthorizationV1Api);
  return {
    async tokenReview(token) {
      const r = await authn.createTokenReview({ body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token } } });
      const u = r.status?.user;
      if (r.status?.authenticated !== true || u?.username === undefined) return undefined;
      return {
        name: u.username,
        ...(u.uid !== undefined ? { uid: u.uid } : {}),
        groups: u.groups ?? [],
        ...(u.extra !== undefined ? { extra: u.extra } : {}),
      };
    },
    async accessReview(user, verb, node, subresource) {
      const r = await authz.createSubjectAccessReview({
        body: {
          apiVersion: "authorization.k8s.io/v1",
          kind: "SubjectAccessReview",
          spec: {
            user: user.name,
            groups: user.groups,
            ...(user.uid !== undefined ? { uid: user.uid } : {}),
            ...(user.extra !== undefined ? { extra: user.extra } : {}),
            resourceAttributes: { verb, resource: "nodes", subresource, name: node, group: "", version: "v1" },
          },
        },
      });
      return { allowed: r.status?.allowed === true, reason: r.status?.reason ?? "" };
    },
  };
}

/** The user of a verified client certificate: CN is the name, each O a group (as the API server reads it). */
export function certificateUser(subject: { CN?: string | string[]; O?: string | string[] } | undefined): UserInfo | undefined {
  const cn = Array.isArray(subject?.CN) ? subject.CN[0] : subject?.CN;
  if (cn === undefined || cn === "") return undefined;
  const o = subject?.O;
  return { name: cn, groups: [...(o === undefined ? [] : Array.isArray(o) ? o : [o]), "system:authenticated"] };
}

/** Why a certificate is not valid at `nowMs` (its valid_from/valid_to, as Node formats them), or undefined. */
export function certificateTimeError(cert: { valid_from?: string; valid_to?: string }, nowMs: number): string | undefined {
  const from = Date.parse(cert.valid_from ?? "");
  const to = Date.parse(cert.valid_to ?? "");
  if (Number.isNaN(from) || Number.isNaN(to)) return "client certificate without a readable validity period";
  if (nowMs < from) return "client certificate not yet valid";
  if (nowMs > to) return "client certificate expired";
  return undefined;
}

/** The bearer token of an Authorization header, if any. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  return m?.[1];
}

class TtlCache<V> {
  readonly #entries = new Map<string, { value: V; expires: number }>();
  constructor(private readonly now: () => number, private readonly max = 4096) {}

  get(key: string): V | undefined {
    const e = this.#entries.get(key);
    if (e === undefined) return undefined;
    if (e.expires <= this.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  set(key: string, value: V, ttlMs: number): void {
    if (this.#entries.size >= this.max) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#entries.set(key, { value, expires: this.now() + ttlMs });
  }
}

export class Auth {
  readonly #tokens: TtlCache<UserInfo | null>;
  readonly #decisions: TtlCache<{ allowed: boolean; reason: string }>;
  readonly #opts: Required<AuthOptions>;

  constructor(private readonly api: ReviewApi, private readonly node: string, opts: AuthOptions) {
    this.#opts = { tokenTtlMs: 120_000, allowedTtlMs: 300_000, deniedTtlMs: 30_000, now: Date.now, ...opts };
    this.#tokens = new TtlCache(this.#opts.now);
    this.#decisions = new TtlCache(this.#opts.now);
  }

  async authenticate(req: IncomingMessage): Promise<AuthnResult> {
    const socket = req.socket as Partial<TLSSocket>;
    // getPeerCertificate() is {} when the client presented none.
    const cert = typeof socket.getPeerCertificate === "function" ? socket.getPeerCertificate() : undefined;
    const presented = cert !== undefined && cert !== null && Object.keys(cert).length > 0;
    let certError: string | undefined;
    if (presented) {
      // A certificate the TLS layer verified against the client CA (requestCert without
      // rejectUnauthorized: a request without one may still bring a token). The handshake
      // checked its validity once; a keep-alive connection outlives that, so check it again
      // on every request, as the kubelet's x509 authenticator does.
      certError = socket.authorized === true ? certificateTimeError(cert, this.#opts.now()) : "client certificate not verified";
      const user = certError === undefined ? certificateUser(cert.subject) : undefined;
      if (user !== undefined) return { user, via: "certificate" };
    }
    const token = bearerToken(req.headers.authorization);
    if (token !== undefined) {
      let user = this.#tokens.get(token);
      if (user === undefined) {
        user = (await this.api.tokenReview(token)) ?? null;
        this.#tokens.set(token, user, this.#opts.tokenTtlMs);
      }
      if (user === null) return { error: "invalid bearer token" };
      return { user, via: "token" };
    }
    // The kubelet fails a bad certificate with 401 before anonymous is considered
    // (unionauth.NewFailOnError): presenting bad credentials is not the same as presenting none.
    if (certError !== undefined) return { error: certError };
    if (this.#opts.anonymous) return { user: { name: "system:anonymous", groups: ["system:unauthenticated"] }, via: "anonymous" };
    return { error: "no client certificate or bearer token" };
  }

  /** Allowed when any of `subresources` is (fine-grained ones first, nodes/proxy last). */
  async authorize(user: UserInfo, verb: string, subresources: readonly string[]): Promise<{ allowed: boolean; reason: string }> {
    let last = { allowed: false, reason: "" };
    for (const sub of subresources) {
      const key = JSON.stringify([user.name, user.uid, user.groups, user.extra, verb, sub]);
      let d = this.#decisions.get(key);
      if (d === undefined) {
        d = await this.api.accessReview(user, verb, this.node, sub);
        this.#decisions.set(key, d, d.allowed ? this.#opts.allowedTtlMs : this.#opts.deniedTtlMs);
      }
      if (d.allowed) return d;
      last = d;
    }
    return last;
  }
}

/** The kubelet's 403 text: "Forbidden (user=..., verb=..., resource=nodes, subresource(s)=[...])". */
export function forbiddenMessage(user: UserInfo, verb: string, subresources: readonly string[]): string {
  return `Forbidden (user=${user.name}, verb=${verb}, resource=nodes, subresource(s)=[${subresources.join(" ")}])\n`;
}
