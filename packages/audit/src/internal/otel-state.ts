import {
  createNoopMeter,
  type Meter,
  type MeterProvider,
  metrics,
  ProxyTracerProvider,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api'

/** The API's no-op tracer provider: what a `ProxyTracerProvider` delegates to until an SDK registers. */
const NOOP_TRACER_PROVIDER: TracerProvider = new ProxyTracerProvider().getDelegate()
const NOOP_METER: Meter = createNoopMeter()

/**
 * The tracer to use, or `undefined` when no SDK is registered (the API would only hand out no-op
 * spans). Resolved on every call without allocating: an SDK may be registered, or replaced, after
 * the middleware was created, and a tracer obtained earlier from a replaced provider must not be
 * reused.
 */
export function createTracerSource(
  explicit: TracerProvider | undefined,
  name: string,
  version: string,
): () => Tracer | undefined {
  let provider: TracerProvider | undefined
  let tracer: Tracer | undefined
  return function currentTracer(): Tracer | undefined {
    let delegate = explicit ?? trace.getTracerProvider()
    if (delegate instanceof ProxyTracerProvider) delegate = delegate.getDelegate()
    if (delegate === NOOP_TRACER_PROVIDER) return undefined
    if (delegate !== provider) {
      provider = delegate
      tracer = delegate.getTracer(name, version)
    }
    return tracer
  }
}

/**
 * The meter to use, or `undefined` when no metrics SDK is registered. The metrics API has no proxy,
 * so instruments created before an SDK registers stay no-ops: instruments are (re)created through
 * `build` whenever the provider changes.
 */
export function createInstrumentSource<T>(
  explicit: MeterProvider | undefined,
  name: string,
  version: string,
  build: (meter: Meter) => T,
): () => T | undefined {
  let provider: MeterProvider | undefined
  let instruments: T | undefined
  return function currentInstruments(): T | undefined {
    const current = explicit ?? metrics.getMeterProvider()
    if (current !== provider) {
      provider = current
      const meter = current.getMeter(name, version)
      instruments = meter === NOOP_METER ? undefined : build(meter)
    }
    return instruments
  }
}
