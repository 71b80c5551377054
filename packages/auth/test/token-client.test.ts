/** Tokens for downstream APIs: client credentials from oidc-provider, RFC 8693 exchange from a local token endpoint. */
import { WardenError } from '@mcp-warden/core'
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTokenClient } from '../src/index.js'
import { type LocalIssuer, startLocalIssuer } from './support/local-issuer.js'
import { CLIENT, newSigningKey, type OidcServer, startOidc } from './support/oidc.js'

let oidc: OidcServer
let as: LocalIssuer
beforeAll(async () => {
  oidc = await startOidc([await newSigningKey('k1')])
  as = await startLocalIssuer()
})
afterAll(async () => {
  await oidc.close()
  await as.close()
})

describe('createTokenClient', () => {
  it('obtains a client-credentials token for the downstream resource and reuses it', async () => {
    const tokens = createTokenClient({
      tokenEndpoint: `${oidc.issuer}/token`,
      clientId: CLIENT.id,
      clientSecret: CLIENT.secret,
    })
    const first = await tokens.clientCredentials({ resource: 'https://api.example.com/', scope: 'tickets:read' })
    expect(decodeJwt(first.accessToken)).toMatchObject({ aud: 'https://api.example.com/', scope: 'tickets:read' })
    expect(first.tokenType).toBe('Bearer')
    const again = await tokens.clientCredentials({ resource: 'https://api.example.com/', scope: 'tickets:read' })
    expect(again.accessToken).toBe(first.accessToken)
  })

  it('performs an RFC 8693 token exchange with the subject token', async () => {
    let seen: URLSearchParams | undefined
    as.tokenEndpoint = ({ body }) => {
      seen = body
      return {
        status: 200,
        body: JSON.stringify({
          access_token: 'downstream-token',
          token_type: 'Bearer',
          expires_in: 300,
          issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        }),
      }
    }
    const tokens = createTokenClient({
      tokenEndpoint: `${as.issuer}/token`,
      clientId: 'mcp-server',
      clientSecret: 'secret',
      clientAuth: 'client_secret_post',
    })
    const token = await tokens.exchange({
      subjectToken: 'caller-token',
      resource: 'https://api.example.com/',
      scope: 'read',
    })
    expect(token).toEqual({
      accessToken: 'downstream-token',
      tokenType: 'Bearer',
      expiresIn: 300,
      issuedTokenType: 'urn:ietf:params:oauth:token-type:access_token',
    })
    expect(Object.fromEntries(seen ?? [])).toEqual({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token: 'caller-token',
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      resource: 'https://api.example.com/',
      scope: 'read',
      client_id: 'mcp-server',
      client_secret: 'secret',
    })
  })

  it('fails with ERR_AUTH_TOKEN_REQUEST_FAILED without revealing secrets when the server refuses', async () => {
    const tokens = createTokenClient({
      tokenEndpoint: `${oidc.issuer}/token`,
      clientId: CLIENT.id,
      clientSecret: 'wrong-secret',
    })
    try {
      await tokens.clientCredentials({ resource: 'https://api.example.com/' })
      expect.unreachable()
    } catch (error) {
      expect(WardenError.isInstance(error) && error.code).toBe('ERR_AUTH_TOKEN_REQUEST_FAILED')
      expect((error as WardenError).publicMessage).toBe('Request denied')
      expect((error as Error).message).not.toContain('wrong-secret')
    }
    as.tokenEndpoint = () => ({ status: 200, body: '{"token_type":"Bearer"}' })
    const empty = createTokenClient({ tokenEndpoint: `${as.issuer}/token`, clientId: 'a', clientSecret: 'b' })
    await expect(empty.exchange({ subjectToken: 't' })).rejects.toMatchObject({ code: 'ERR_AUTH_TOKEN_REQUEST_FAILED' })
  })

  it.each([
    ['no options', undefined],
    [
      'an http endpoint off loopback',
      { tokenEndpoint: 'http://auth.example.com/token', clientId: 'a', clientSecret: 'b' },
    ],
    ['no secret', { tokenEndpoint: 'https://auth.example.com/token', clientId: 'a' }],
    [
      'an unknown option',
      { tokenEndpoint: 'https://auth.example.com/token', clientId: 'a', clientSecret: 'b', scope: 'x' },
    ],
  ])('throws TypeError when given %s', (_label, options) => {
    expect(() => createTokenClient(options as never)).toThrow(TypeError)
  })
})
