import { createHash } from 'node:crypto'
import {
  createMemoryStore,
  type JsonValue,
  publishSecurityEvent,
  type Store,
  type StoreHitOptions,
  type StoreIncrementOptions,
  type StoreSetOptions,
} from '@mcp-warden/core'

/**
 * The default in-memory state of the stateful guards (`rateLimit`, `flowPolicy`,
 * `requireApproval`) built without a `store`.
 *
 * A stateless server builds its `McpServer`, and so its guards, once per request. A guard that
 * owned a fresh store would then forget everything between requests: the limit would never limit,
 * the taint never persist, a used approval nonce could be replayed. So the default store is one per
 * process (per guard kind and bound), and each guard keeps its keys under a namespace derived from
 * its identity (its kind, name and configuration, functions by their source text): a guard rebuilt
 * with the same configuration sees the state of its previous incarnations. Two guards of identical
 * configuration in one process share state, which can only make them stricter; give them distinct
 * names to keep them apart.
 *
 * The registry lives on `globalThis` under a registered symbol, so ESM and CJS copies of the
 * package share it.
 */

/** Builds of one identity after which a stateful guard is reported as rebuilt (once). */
export const REBUILT_AFTER = 10
/** Distinct (kind, bound) pairs of default stores; more is a misconfiguration (bounds computed per request). */
const MAX_STORES = 64
/** Identities whose builds are counted; the counts only feed a warning, so they are reset when full. */
const MAX_COUNTED = 10_000

interface Registry {
  readonly stores: Map<string, Store>
  readonly builds: Map<string, number>
}

const REGISTRY = Symbol.for('mcp-warden.policy.default-stores')

function registry(): Registry {
  const holder = globalThis as { [REGISTRY]?: Registry }
  let found = holder[REGISTRY]
  if (found === undefined) {
    found = { stores: new Map(), builds: new Map() }
    holder[REGISTRY] = found
  }
  return found
}

/** A stable text of a configuration: sorted object keys, functions by source, undefined as null. */
export function identityOf(parts: readonly unknown[]): string {
  const seen = new Set<object>()
  const normalize = (value: unknown, depth: number): unknown => {
    if (typeof value === 'function') return `function:${String(value)}`
    if (value === undefined) return null
    if (typeof value !== 'object' || value === null) return value
    if (depth > 16 || seen.has(value)) return '[deep]'
    seen.add(value)
    const out = Array.isArray(value)
      ? value.map((item) => normalize(item, depth + 1))
      : Object.fromEntries(
          Object.keys(value)
            .sort()
            .map((key) => [key, normalize((value as Record<string, unknown>)[key], depth + 1)]),
        )
    seen.delete(value)
    return out
  }
  return createHash('sha256')
    .update(JSON.stringify(normalize(parts, 0)))
    .digest('base64url')
    .slice(0, 22)
}

/**
 * Counts one build of a stateful guard and reports, once per identity, a guard built
 * `REBUILT_AFTER` times: a `guard.rebuilt` security event and a process warning. Called for every
 * build, with or without a store: a memory store passed from inside a per-request factory is the
 * case the shared default cannot rescue.
 */
export function countBuild(guard: string, name: string, identity: string, storeKind: string | undefined): void {
  const { builds } = registry()
  const key = `${guard}:${identity}`
  const count = (builds.get(key) ?? 0) + 1
  if (builds.size >= MAX_COUNTED && !builds.has(key)) builds.clear()
  builds.set(key, count)
  if (count !== REBUILT_AFTER) return
  const own = storeKind === 'memory'
  publishSecurityEvent({
    type: 'guard.rebuilt',
    detail: { guard, name, builds: count, store: storeKind ?? 'default' },
  })
  process.emitWarning(
    `${guard} "${name}" was built ${count} times in this process. ${
      own
        ? 'Each build got the memory store passed to it: if that store is created per request too, the guard forgets its state between requests.'
        : 'Its default state is kept per process under its configuration, so it still holds across builds.'
    } Build stateful guards once, outside a per-request server factory, and pass them in.`,
    { code: 'MCP_WARDEN_GUARD_REBUILT' },
  )
}

/**
 * The default store of a guard: the process-wide memory store of its kind and bound (refusing
 * new entries when full, never forgetting live ones), seen through the guard's namespace.
 *
 * @throws TypeError when more than 64 distinct (kind, bound) default stores would exist.
 */
export function defaultStore(guard: string, max: number, identity: string): Store {
  const { stores } = registry()
  const key = `${guard}:${max}`
  let store = stores.get(key)
  if (store === undefined) {
    if (stores.size >= MAX_STORES) {
      throw new TypeError(
        `${guard}: too many distinct default store bounds in this process; pass a \`store\` built once and shared`,
      )
    }
    store = createMemoryStore({ max, whenFull: 'refuse' })
    stores.set(key, store)
  }
  return namespaced(store, `${identity}|`)
}

/** `store` with every key under `prefix`. */
function namespaced(store: Store, prefix: string): Store {
  const hitNow = store.hitNow
  const hit = store.hit
  return Object.freeze({
    kind: store.kind,
    get: (key: string) => store.get(prefix + key),
    set: (key: string, value: JsonValue, options?: StoreSetOptions) => store.set(prefix + key, value, options),
    delete: (key: string) => store.delete(prefix + key),
    increment: (key: string, options?: StoreIncrementOptions) => store.increment(prefix + key, options),
    compareAndSet: (
      key: string,
      expected: JsonValue | undefined,
      value: JsonValue | undefined,
      options?: StoreSetOptions,
    ) => store.compareAndSet(prefix + key, expected, value, options),
    ...(hit === undefined
      ? {}
      : { hit: (key: string, options: StoreHitOptions) => hit.call(store, prefix + key, options) }),
    ...(hitNow === undefined
      ? {}
      : { hitNow: (key: string, options: StoreHitOptions) => hitNow.call(store, prefix + key, options) }),
  } satisfies Store)
}
