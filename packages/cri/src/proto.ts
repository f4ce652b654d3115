// Loads the CRI runtime.v1 api.proto at run time. The file is upstream's (retrieved by
// proto/fetch-cri.sh, not committed), so no generated code is checked in.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadSync } from "@grpc/proto-loader";
import type { Options, PackageDefinition, ServiceDefinition } from "@grpc/proto-loader";

/** Protobuf package of the CRI API this client speaks. */
export const CRI_PACKAGE = "runtime.v1";
export type CriServiceName = "RuntimeService" | "ImageService";

/** Environment variable that points at another api.proto (e.g. in a container image). */
export const CRI_PROTO_ENV = "NATSLET_CRI_PROTO";

// The shapes in types.ts depend on exactly these options: camelCase fields, int64 as
// decimal strings (no precision loss above 2^53), enum names, zero values filled in.
export const LOADER_OPTIONS: Options = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** Where api.proto is: $NATSLET_CRI_PROTO, else <repo>/proto/... seen from packages/cri/dist/. */
export function criProtoPath(env: NodeJS.ProcessEnv = process.env): string {
  const override = env[CRI_PROTO_ENV];
  if (override !== undefined && override !== "") return override;
  return fileURLToPath(new URL("../../../proto/k8s.io/cri-api/runtime/v1/api.proto", import.meta.url));
}

// Parsing the 2000-line proto costs ~100 ms; every client in the process shares one result.
const cache = new Map<string, PackageDefinition>();

/** The loaded definition of api.proto (cached per path). */
export function loadCriProto(path: string = criProtoPath()): PackageDefinition {
  const hit = cache.get(path);
  if (hit !== undefined) return hit;
  if (!existsSync(path)) {
    throw new Error(
      `CRI api.proto not found at ${path}: run proto/fetch-cri.sh or set ${CRI_PROTO_ENV}`,
    );
  }
  const def = loadSync(path, LOADER_OPTIONS);
  cache.set(path, def);
  return def;
}

/** One service of the loaded definition; throws if the proto does not define it. */
export function criService(def: PackageDefinition, name: CriServiceName): ServiceDefinition {
  const svc = def[`${CRI_PACKAGE}.${name}`];
  // Messages and enums carry a `format` string; services are plain method maps.
  if (svc === undefined || "format" in svc) {
    throw new Error(`${CRI_PACKAGE}.${name} is not a service in the loaded CRI proto`);
  }
  return svc;
}
