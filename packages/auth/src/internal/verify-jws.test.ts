import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { WardenError } from '@mcp-warden/core'
import { importJWK, type JWK } from 'jose'
import { describe, expect, it } from 'vitest'
import { verifyCompactJws } from './verify-jws.js'

/** The shared corpora live beside the repository, never inside it. */
const CORPUS = fileURLToPath(new URL('../../../../../shared/corpora/wycheproof-jose/', import.meta.url))

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

/**
 * Valid vectors this verifier refuses, on purpose:
 * - 346, 350 (RFC 7520 Figure 20): the header says PS384, the group's key says PS256; the algorithm
 *   is pinned from the key, never taken from the token.
 * - 372, 373: a character outside base64url inserted in the header or payload; the MAC covers the
 *   altered bytes, but a strict decoder refuses non-canonical base64url before any cryptography.
 */
const REFUSED_VALID = new Set([346, 350, 372, 373])

/**
 * Vectors the corpus contradicts itself on: 367 and 370 (`invalidBase64Padding…`, expected
 * invalid) are byte-for-byte the valid vector 357 (the padding they describe is not in the file).
 * No verifier can accept one and refuse the others; the test checks that they still are identical.
 */
const CONTRADICTED = new Map([
  [367, 357],
  [370, 357],
])

function loadVectors(): readonly Group[] {
  const file = `${CORPUS}json_web_signature_test.json`
  if (!existsSync(file)) {
    throw new Error(`Wycheproof JOSE vectors not found at ${file}: the shared corpora folder must sit beside the repo`)
  }
  return (JSON.parse(readFileSync(file, 'utf8')) as { testGroups: Group[] }).testGroups
}

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

describe('verifyCompactJws', () => {
  it('agrees with every Wycheproof JWS vector except the documented strict refusals', async () => {
    const groups = loadVectors()
    const disagreements: string[] = []
    let count = 0
    for (const group of groups) {
      for (const vector of group.tests) {
        count++
        const accepted = await accepts(group, vector)
        const expected = (vector.result === 'valid' && !REFUSED_VALID.has(vector.tcId)) || CONTRADICTED.has(vector.tcId)
        if (accepted !== expected) disagreements.push(`${vector.tcId} ${group.comment} ${vector.comment}`)
      }
    }
    expect(count).toBe(401)
    expect(disagreements).toEqual([])
  })

  it('refuses every invalid Wycheproof vector, none accepted by leniency', async () => {
    let invalid = 0
    for (const group of loadVectors()) {
      for (const vector of group.tests) {
        if (vector.result !== 'invalid') continue
        invalid++
        const twin = CONTRADICTED.get(vector.tcId)
        if (twin !== undefined) {
          expect(vector.jws, `tcId ${vector.tcId} no longer equals ${twin}`).toBe(
            group.tests.find((t) => t.tcId === twin)?.jws,
          )
          continue
        }
        expect(await accepts(group, vector), `tcId ${vector.tcId}`).toBe(false)
      }
    }
    expect(invalid).toBe(355)
  })
})
