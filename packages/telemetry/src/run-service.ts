import { hostname } from "node:os";
import type { Registry } from "prom-client";
import { startHealthServer, type Check } from "./health.js";
import { createLogger, type Logger } from "./logger.js";
import { createRegistry } from "./metrics.js";
import { parseFlags, recordingEnv, unknownFlags } from "./flags.js";
import { SettingsError, type CommonSettings } from "./settings.js";
import { handleShutdown, type Closer } from "./shutdown.js";
import { initTracing, type Tracing } from "./tracing.js";

export interface ServiceContext<S extends CommonSettings> {
  settings: S;
  log: Logger;
  registry: Registry;
  tracing: Tracing;
}

/** What a service's wiring hands back: its readiness checks and what to close, in order. */
export interface StartedService {
  checks: Record<string, Check>;
  /** Stop taking work first, then close what that work used (health and tracing come last by themselves). */
  closers: Closer[];
  /** Extra fields for the "ready" log line. */
  readyFields?: Record<string, unknown>;
}

/**
 * The life of a natslet service process, the same for all of them: settings (a bad one is one
 * fatal line and exit 2 — nothing to retry), tracing, logger and metrics; then `start` wires the
 * service; then /healthz /readyz /metrics, the SIGTERM drain and the "ready" line (with the
 * health port) that operators and testkit wait for. A failed start is logged and exits 1.
 */
export function runService<S extends CommonSettings>(
  service: string,
  loadSettings: (env: Readonly<Record<string, string | undefined>>) => S,
  start: (ctx: ServiceContext<S>) => Promise<StartedService>,
): void {
  let settings: S;
  try {
    settings = settingsFromEnvAndFlags(service, loadSettings);
  } catch (err) {
    const log = createLogger({ service, node: hostname().toLowerCase(), level: "info" });
    log.fatal({ err: err instanceof Error ? err.message : String(err) }, "invalid settings");
    process.exit(2);
  }
  const tracing = initTracing(service);
  const log = createLogger({ service, node: settings.nodeName, level: settings.logLevel, format: settings.logFormat });
  const registry = createRegistry(service, settings.nodeName);
  // Handlers catch their own errors; anything that still escapes is a bug to log, not a reason
  // to drop every pod's work.
  process.on("unhandledRejection", (err) => log.error({ err }, "unhandled rejection"));

  const boot = async () => {
    const started = await start({ settings, log, registry, tracing });
    const health = await startHealthServer({
      host: settings.healthHost,
      port: settings.healthPort,
      checks: started.checks,
      registry,
    });
    handleShutdown(log, [
      ...started.closers,
      { name: "health", close: () => health.close() },
      { name: "tracing", close: () => tracing.shutdown() },
    ]);
    log.info({ healthPort: health.port, nats: settings.natsUrl, tracing: tracing.exporting, ...started.readyFields }, "ready");
  };
  boot().catch((err: unknown) => {
    log.fatal({ err }, "start-up failed");
    process.exit(1);
  });
}

/**
 * Flags override the environment (and are written into it, so libraries that read the
 * environment themselves, such as the OTel SDK, see them too). `--help` lists the variables
 * the service read and exits; a flag no setting read is an error.
 */
function settingsFromEnvAndFlags<S>(service: string, loadSettings: (env: Readonly<Record<string, string | undefined>>) => S): S {
  const flags = parseFlags(process.argv.slice(2));
  Object.assign(process.env, flags.env);
  const { env, read } = recordingEnv(process.env);
  if (flags.help) {
    // Reading the settings is how the list is known; a setting that is wrong right now must not
    // hide the list (the readers before it are listed; the problem is named).
    let problem = "";
    try {
      loadSettings(env);
    } catch (err) {
      problem = `With the current environment: ${err instanceof Error ? err.message : String(err)}\n`;
    }
    const names = [...read].filter((k) => /^[A-Z][A-Z0-9_]*$/.test(k)).sort();
    process.stdout.write(
      `${service}: every setting is an environment variable, or a flag of the same name (NATS_URL = --nats-url).\n` +
        `Settings ${service} reads: ${names.join(", ")}, KUBECONFIG (where it talks to the API server), OTEL_* (OpenTelemetry SDK).\n` +
        problem,
    );
    process.exit(0);
  }
  const settings = loadSettings(env);
  const unknown = unknownFlags(flags.env, read);
  if (unknown.length > 0) throw new SettingsError(`unknown flag ${unknown.join(", ")}: ${service} reads no such setting (see --help)`);
  return settings;
}
