// Flags are environment variables spelled as flags: `--nats-url=nats://x` (or `--nats-url
// nats://x`) sets NATS_URL, `--natslet-resync-ms=2000` sets NATSLET_RESYNC_MS, `--kubeconfig`
// sets KUBECONFIG. One name per setting, so the README's table serves both, and the OTel SDK's
// own variables (OTEL_*) work as flags too. A flag no setting reads is an error, not ignored.
import { SettingsError } from "./settings.js";

type Env = Readonly<Record<string, string | undefined>>;

/** The environment variables the command-line flags set; `--help` is reported as `help: true`. */
export function parseFlags(argv: readonly string[]): { env: Record<string, string>; help: boolean } {
  const env: Record<string, string> = {};
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    const match = /^--([a-z][a-z0-9]*(?:-[a-z0-9]+)*)(?:=([\s\S]*))?$/.exec(arg);
    if (!match) throw new SettingsError(`unexpected argument "${arg}": flags look like --nats-url=nats://127.0.0.1:4222`);
    const [, name = "", inline] = match;
    let value = inline;
    if (value === undefined) {
      const next = argv[i + 1];
      if (next === undefined || next.startsWith("--")) throw new SettingsError(`flag --${name} needs a value`);
      value = next;
      i++;
    }
    env[envNameOf(name)] = value;
  }
  return { env, help };
}

/** `nats-url` → `NATS_URL`. */
export function envNameOf(flag: string): string {
  return flag.replaceAll("-", "_").toUpperCase();
}

/** `NATS_URL` → `--nats-url`. */
export function flagNameOf(envName: string): string {
  return `--${envName.toLowerCase().replaceAll("_", "-")}`;
}

/**
 * Variables read outside a service's settings function: the kubeconfig loader's and the OTel
 * SDK's (which reads OTEL_* from the environment itself).
 */
function readElsewhere(name: string): boolean {
  return name.startsWith("OTEL_") || name === "KUBECONFIG" || name.startsWith("KUBERNETES_SERVICE_");
}

/** Flags that set a variable nothing read: a typo, or a setting of another service. */
export function unknownFlags(flags: Readonly<Record<string, string>>, read: ReadonlySet<string>): string[] {
  return Object.keys(flags)
    .filter((name) => !read.has(name) && !readElsewhere(name))
    .map(flagNameOf);
}

/** A view of `env` that records which variables were asked for. */
export function recordingEnv(env: Env): { env: Env; read: Set<string> } {
  const read = new Set<string>();
  const view = new Proxy(env, {
    get(target, key) {
      if (typeof key === "string") read.add(key);
      return Reflect.get(target, key) as unknown;
    },
  });
  return { env: view, read };
}
