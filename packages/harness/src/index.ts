export {
  ALERTMANAGER_SECRETS_DIR,
  type Alertmanager,
  type AlertmanagerAlert,
  type AlertmanagerOptions,
  alertmanagerConfigPath,
  type LocalAlertmanagerConfigOptions,
  localAlertmanagerConfig,
  startAlertmanager,
} from './alertmanager.ts';
export {
  type Collector,
  type CollectorOptions,
  collectorBinary,
  collectorConfigPath,
  piiRulesPath,
  repoRoot,
  startCollector,
  type ValidateResult,
  validateCollectorConfig,
} from './collector.ts';
export {
  isPortFree,
  type NativeStack,
  type NativeStackOptions,
  type NativeStackPorts,
  nativePrometheusConfig,
  type StackProcess,
  startNativeStack,
} from './native-stack.ts';
export * from './otlp.ts';
export { freePort, isListening } from './ports.ts';
export { type PostgresServer, startPostgres } from './postgres.ts';
export {
  dumpLogs,
  type ManagedProcess,
  type ProcessLogOptions,
  type ProcessOptions,
  ProcessStartError,
  type StartManagedOptions,
  startManaged,
  startProcess,
  tempDir,
} from './process.ts';
export { type PromTool, promToolBinary } from './prom-tools.ts';
export { type Prometheus, type PrometheusOptions, type PromSample, startPrometheus } from './prometheus.ts';
export { type RedisServer, startRedis } from './redis.ts';
export * from './sink.ts';
export { type Pipeline, type PipelineOptions, startPipeline } from './stack.ts';
export { type WaitOptions, waitFor } from './wait.ts';
