// OpenTelemetry tracing of the gateway, configured only by the standard OTEL_* variables.
//
// Off (nothing loaded, no plugin) unless OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set and OTEL_SDK_DISABLED is not true. When on:
// - spans are exported over OTLP/HTTP, protobuf by default (OTEL_EXPORTER_OTLP_PROTOCOL
//   http/protobuf; http/json also works; grpc is not installed and leaves tracing off);
//   the exporter reads its own OTEL_EXPORTER_OTLP_* variables (endpoint + /v1/traces,
//   headers, timeout), the batch processor OTEL_BSP_*;
// - the sampler is OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG (default
//   parentbased_always_on), the resource OTEL_SERVICE_NAME (default "gateway") and
//   OTEL_RESOURCE_ATTRIBUTES;
// - Hive Gateway's OpenTelemetry plugin continues an incoming W3C `traceparent` and sends one
//   to every subgraph request (spans: HTTP request, GraphQL operation, parse, validate,
//   execute, each subgraph execution and upstream fetch). Health probes are not traced.

type Env = Record<string, string | undefined>;

const ENDPOINTS = ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT'];
const EXPORTERS: Record<string, string> = {
  'http/protobuf': '@opentelemetry/exporter-trace-otlp-proto',
  'http/json': '@opentelemetry/exporter-trace-otlp-http',
};

/** True when the environment asks for traces (an OTLP endpoint; SDK not disabled). */
export function tracingConfigured(env: Env = process.env): boolean {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return false;
  if ((env.OTEL_TRACES_EXPORTER ?? 'otlp').trim().toLowerCase() === 'none') return false;
  return ENDPOINTS.some((name) => (env[name] ?? '').trim() !== '');
}

/** Probes, not traffic: no trace for them (they come every few seconds). */
const UNTRACED_PATHS = new Set(['/health', '/healthcheck', '/readiness', '/metrics']);

function traced({ request }: { request: Request }): boolean {
  const path = new URL(request.url).pathname;
  return !(UNTRACED_PATHS.has(path) || path.startsWith('/health/'));
}

type OpenTelemetryOption = { traces: { spans: { http: typeof traced } } };

/**
 * Sets the OpenTelemetry SDK up if the environment asks for it; returns the gateway's
 * `openTelemetry` option (undefined: off, the plugin is not even loaded).
 */
export async function setupTracing(env: Env = process.env): Promise<OpenTelemetryOption | undefined> {
  if (!tracingConfigured(env)) return undefined;
  const protocol = (
    env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ||
    env.OTEL_EXPORTER_OTLP_PROTOCOL ||
    'http/protobuf'
  ).trim();
  const exporterModule = EXPORTERS[protocol];
  if (exporterModule === undefined) {
    console.error(`tracing stays off: OTLP protocol "${protocol}" is not supported (use http/protobuf)`);
    return undefined;
  }
  const [{ openTelemetrySetup }, { AsyncLocalStorageContextManager }, sdk, resources, exporter] =
    await Promise.all([
      import('@graphql-hive/plugin-opentelemetry/setup'),
      import('@opentelemetry/context-async-hooks'),
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/resources'),
      import(exporterModule),
    ]);
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (envDetector) win over the default name.
  const resource = resources
    .resourceFromAttributes({ 'service.name': 'gateway' })
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  openTelemetrySetup({
    contextManager: new AsyncLocalStorageContextManager(),
    traces: {
      // No sampler given: the provider takes OTEL_TRACES_SAMPLER from the environment.
      tracerProvider: new sdk.BasicTracerProvider({
        resource,
        spanProcessors: [new sdk.BatchSpanProcessor(new exporter.OTLPTraceExporter())],
      }),
    },
  });
  return { traces: { spans: { http: traced } } };
}
