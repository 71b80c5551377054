/**
 * Corpus checks of the signature layer against the Wycheproof JOSE vectors, run by
 * `pnpm eval -- <corpus dir>` (scripts/eval-sanitizers.ts), never by the unit tests, which sign their
 * own vectors (src/internal/verify-jws.test.ts, src/internal/key-set.test.ts).
 */
import { WardenError } from '@mcp-warden/core'
import { createLocalJWKSet, decodeProtectedHeader, importJWK, type JWK } from 'jose'
import { type CorpusCheck, check, readJson } from '../../core/test/corpora.js'
import { checkKeySet } from '../src/internal/key-set.js'
import { verifyCompactJws } from '../src/internal/verify-jws.js'

interface Vector {
  readonly tcId: number
  readonly comment: string
  readonly jws: string
  readonly result: 'valid' | 'invalid'
}
interface Group {
  readonly comment: string
  readonly private: JWK
  readonly public?: JWK
  readonly tests: readonly Vector[]
}
interface KeyGroup {
  readonly private: { keys: Record<string, unknown>[] }
  readonly public?: { keys: Record<string, unknown>[] }
  readonly tests: readonly Vector[]
}

/**
 * Valid signature vectors this verifier refuses, on purpose:
 * - 346, 350 (RFC 7520 Figure 20): the header says PS384, the group's key says PS256; the algorithm
 *   is pinned from the key, never taken from the token.
 * - 372, 373: a character outside base64url inserted in the header or payload; the MAC covers the
 *   altered bytes, but a strict decoder refuses non-canonical base64url before any cryptography.
 */
const REFUSED_VALID = new Set([346, 350, 372, 373])

/**
 * Vectors the corpus contradicts itself on: 367 and 370 (`invalidBase64Padding…`, expected
 * invalid) are byte-for-byte the valid vector 357 (the padding they describe is not in the file).
 * No verifier can accept one and refuse the others; the check requires that they still are identical.
 */
const CONTRADICTED = new Map([
  [367, 357],
  [370, 357],
])

/**
 * Valid key-set vectors refused on purpose: 2, 13, 14, 15 verify with symmetric (HS*) keys, which a
 * resource server must not hold (whoever has the key can mint tokens), so `checkKeySet` refuses
 * every `oct` key.
 */
const REFUSED_VALID_KEYS = new Set([2, 13, 14, 15])
/** Invalid key-set vectors accepted: 7 is an RSA key with the ROCA weakness, which needs a fingerprint test this library does not run. */
const ACCEPTED_INVALID_KEYS = new Set([7])

async function accepts(group: Group, vector: Vector): Promise<boolean> {
  const jwk = group.public ?? group.private
  // Pin the algorithm from the key; a key without `alg` (an encryption key) verifies nothing.
  const pinned = jwk.alg === 'ES521' ? 'ES512' : jwk.alg
  if (pinned === undefined) return false
  let key: Awaited<ReturnType<typeof importJWK>>
  try {
    key = await importJWK({ ...jwk, alg: pinned }, pinned)
  } catch {
    return false
  }
  try {
    await verifyCompactJws(vector.jws, key, [pinned])
    return true
  } catch (error) {
    if (!WardenError.isInstance(error)) throw error
    return false
  }
}

async function acceptsKeySet(group: KeyGroup, vector: Vector): Promise<boolean> {
  // A key set with private parts is given as-is: the checker must refuse it.
  const set = group.public ?? group.private
  try {
    checkKeySet(set, 'keys')
  } catch (error) {
    if (error instanceof TypeError) return false
    throw error
  }
  const algorithms = set.keys.map((key) => key.alg).filter((alg): alg is string => typeof alg === 'string')
  try {
    decodeProtectedHeader(vector.jws)
    await verifyCompactJws(vector.jws, createLocalJWKSet(set as never) as never, algorithms)
    return true
  } catch (error) {
    if (!WardenError.isInstance(error) && !(error instanceof Error)) throw error
    return false
  }
}

/** The Wycheproof JOSE checks, against the corpus folder `dir`. */
export async function authChecks(dir: string): Promise<readonly CorpusCheck[]> {
  const signatures = (): readonly Group[] =>
    readJson<{ testGroups: Group[] }>(dir, 'wycheproof-jose/json_web_signature_test.json').testGroups
  return [
    await check('JWS: agrees with all 401 Wycheproof vectors except the documented strict refusals', async () => {
      const disagreements: string[] = []
      let count = 0
      for (const group of signatures()) {
        for (const vector of group.tests) {
          count++
          const expected =
            (vector.result === 'valid' && !REFUSED_VALID.has(vector.tcId)) || CONTRADICTED.has(vector.tcId)
          if ((await accepts(group, vector)) !== expected) disagreements.push(`${vector.tcId} ${vector.comment}`)
        }
      }
      return [
        count === 401 && disagreements.length === 0,
        `${count} vectors (required 401), ${disagreements.length} disagreements (required 0)${disagreements.length > 0 ? `: ${disagreements.join('; ')}` : ''}`,
      ]
    }),
    await check('JWS: refuses all 355 invalid Wycheproof vectors, none accepted by leniency', async () => {
      const faults: string[] = []
      let invalid = 0
      for (const group of signatures()) {
        for (const vector of group.tests) {
          if (vector.result !== 'invalid') continue
          invalid++
          const twin = CONTRADICTED.get(vector.tcId)
          if (twin !== undefined) {
            if (vector.jws !== group.tests.find((t) => t.tcId === twin)?.jws)
              faults.push(`${vector.tcId} no longer equals ${twin}`)
            continue
          }
          if (await accepts(group, vector)) faults.push(`${vector.tcId} accepted`)
        }
      }
      return [
        invalid === 355 && faults.length === 0,
        `${invalid} invalid vectors (required 355), ${faults.length} faults (required 0)${faults.length > 0 ? `: ${faults.join('; ')}` : ''}`,
      ]
    }),
    await check('JWK sets: agrees with all 26 Wycheproof key-set vectors except the documented cases', async () => {
      const groups = readJson<{ testGroups: KeyGroup[] }>(dir, 'wycheproof-jose/json_web_key_test.json').testGroups
      const disagreements: string[] = []
      let count = 0
      for (const group of groups) {
        for (const vector of group.tests) {
          count++
          const expected =
            (vector.result === 'valid' && !REFUSED_VALID_KEYS.has(vector.tcId)) ||
            ACCEPTED_INVALID_KEYS.has(vector.tcId)
          if ((await acceptsKeySet(group, vector)) !== expected) disagreements.push(`${vector.tcId} ${vector.comment}`)
        }
      }
      return [
        count === 26 && disagreements.length === 0,
        `${count} vectors (required 26), ${disagreements.length} disagreements (required 0)${disagreements.length > 0 ? `: ${disagreements.join('; ')}` : ''}`,
      ]
    }),
  ]
}
