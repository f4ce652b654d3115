// @natslet/telemetry: what every service shares. main.ts wires these; handlers never import them
// except for the logger type.
export { commonSettings, envInt, envOptional, envString, SettingsError, type CommonSettings, type LogFormat } from "./settings.js";
export { flagNameOf, parseFlags } from "./flags.js";
export { createLogger, type Logger } from "./logger.js";
export { initTracing, type Tracing } from "./tracing.js";
export { startHealthServer, type Check, type HealthServer } from "./health.js";
export { createRegistry } from "./metrics.js";
export { handleShutdown, type Closer } from "./shutdown.js";
export { runService, type ServiceContext, type StartedService } from "./run-service.js";
