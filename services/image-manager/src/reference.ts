// Image references as the kubelet reads them (docker/distribution reference grammar): the
// default tag, the default registry, and the pull policy a container gets when it names none.
import type { PullPolicy } from "@natslet/contracts";

export interface ImageReference {
  /** Registry host[:port], "docker.io" for Docker Hub. */
  domain: string;
  /** Repository path inside the registry ("library/busybox" on Docker Hub). */
  path: string;
  tag?: string;
  digest?: string;
}

export class InvalidImageNameError extends Error {
  override readonly name = "InvalidImageNameError";
}

export const DOCKER_HUB = "docker.io";
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d+)?$/;

/** Parses an image reference; throws InvalidImageNameError with the kubelet's wording. */
export function parseImage(image: string): ImageReference {
  const invalid = () => new InvalidImageNameError(`couldn't parse image name "${image}": invalid reference format`);
  if (image === "" || image !== image.trim()) throw invalid();
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid();
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.indexOf(":", lastSlash + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid();
  }
  const slash = rest.indexOf("/");
  const first = slash >= 0 ? rest.slice(0, slash) : "";
  // The first component is a registry when it looks like a host: has a dot or a port, or is localhost.
  const hasDomain = slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost" || first !== first.toLowerCase());
  let domain = hasDomain ? first : DOCKER_HUB;
  let path = hasDomain ? rest.slice(slash + 1) : rest;
  if (hasDomain && !DOMAIN.test(domain)) throw invalid();
  if (domain === "index.docker.io") domain = DOCKER_HUB;
  if (domain === DOCKER_HUB && !path.includes("/")) path = `library/${path}`;
  if (path === "" || !path.split("/").every((c) => COMPONENT.test(c))) throw invalid();
  return { domain, path, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** kubelet applyDefaultImageTag: `:latest` when the image names neither tag nor digest. */
export function withDefaultTag(image: string): string {
  const ref = parseImage(image);
  return ref.tag === undefined && ref.digest === undefined ? `${image}:latest` : image;
}

/** The fully qualified form ("docker.io/library/busybox:latest"): one key per image, however written. */
export function normalizedImage(image: string): string {
  const ref = parseImage(image);
  const name = `${ref.domain}/${ref.path}`;
  if (ref.digest !== undefined) return `${name}${ref.tag !== undefined ? `:${ref.tag}` : ""}@${ref.digest}`;
  return `${name}:${ref.tag ?? "latest"}`;
}

/** The API server's default: Always for `:latest` or no tag (and no digest), else IfNotPresent. */
export function defaultPullPolicy(image: string): Exclude<PullPolicy, "Never"> {
  let ref: ImageReference;
  try {
    ref = parseImage(image);
  } catch {
    return "Always"; // an unparsable name fails later with InvalidImageName whatever the policy
  }
  if (ref.digest !== undefined) return "IfNotPresent";
  return ref.tag === undefined || ref.tag === "latest" ? "Always" : "IfNotPresent";
}

/** What EnsureImageExists does for a policy: pull, use what is present, or fail (Never + absent). */
export function pullDecision(policy: PullPolicy, present: boolean): "pull" | "present" | "never-pull" {
  if (policy === "Always") return "pull";
  if (present) return "present";
  return policy === "Never" ? "never-pull" : "pull";
}
