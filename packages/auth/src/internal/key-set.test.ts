import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { WardenError } from '@mcp-warden/core'
import { createLocalJWKSet, decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'
import { checkKeySet } from './key-set.js'
import { verifyCompactJws } from './verify-jws.js'

const CORPUS = fileURLToPath(new URL('../../../../../shared/corpora/wycheproof-jose/', import.meta.url))

interface KeyVector {
  readonly tcId: number
  readonly comment: string
  readonly jws: string
  readonly result: 'valid' | 'invalid'
}
interface KeyGroup {
  readonly private: { keys: Record<string, unknown>[] }
  readonly public?: { keys: Record<string, unknown>[] }
  readonly tests: readonly KeyVector[]
}

/**
 * Valid vectors refused on purpose: 2, 13, 14, 15 verify with symmetric (HS*) keys, which a
 * resource server must not hold (whoever has the key can mint tokens), so `checkKeySet` refuses
 * every `oct` key.
 */
const REFUSED_VALID = new Set([2, 13, 14, 15])
/** Invalid vectors accepted: 7 is an RSA key with the ROCA weakness, which needs a fingerprint test this library does not run. */
const ACCEPTED_INVALID = new Set([7])

async function accepts(group: KeyGroup, vector: KeyVector): Promise<boolean> {
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

describe('checkKeySet', () => {
  it('agrees with the Wycheproof key-set vectors except the documented cases', async () => {
    const file = `${CORPUS}json_web_key_test.json`
    if (!existsSync(file)) throw new Error(`Wycheproof JOSE vectors not found at ${file}`)
    const groups = (JSON.parse(readFileSync(file, 'utf8')) as { testGroups: KeyGroup[] }).testGroups
    const disagreements: string[] = []
    let count = 0
    for (const group of groups) {
      for (const vector of group.tests) {
        count++
        const expected =
          (vector.result === 'valid' && !REFUSED_VALID.has(vector.tcId)) || ACCEPTED_INVALID.has(vector.tcId)
        if ((await accepts(group, vector)) !== expected) disagreements.push(`${vector.tcId} ${vector.comment}`)
      }
    }
    expect(count).toBe(26)
    expect(disagreements).toEqual([])
  })
})
