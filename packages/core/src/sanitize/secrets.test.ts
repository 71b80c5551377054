import { describe, expect, it } from 'vitest'
import { detectSecrets } from './secrets.js'

const one = (text: string) => detectSecrets(text)[0]

describe('detectSecrets', () => {
  it('reports cloud keys with the span of the key itself', () => {
    expect(one('key: AKIAIOSFODNN7SECRETS')).toMatchObject({
      category: 'secret',
      detector: 'aws-access-key',
      start: 5,
      end: 25,
    })
    const assignment = 'AWS_SECRET_ACCESS_KEY = wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETSKEY'
    expect(one(assignment)).toMatchObject({ detector: 'aws-secret-key', start: 24, end: assignment.length })
    expect(one('AIzaSyA1234567890abcdefghijklmnopqrstuv')?.detector).toBe('google-api-key')
  })

  it('reports VCS and chat tokens', () => {
    expect(one(`token ghp_${'a1B2c3D4e5'.repeat(4).slice(0, 36)}`)?.detector).toBe('github-token')
    expect(one('glpat-abcdefghij0123456789')?.detector).toBe('gitlab-token')
    expect(one('bot-token=xoxb-23984754863-2348975623000-AAAAANzjawSSE9krECohd')?.detector).toBe('slack-token')
    expect(one('https://hooks.slack.com/services/T11111AA/BAAAA111A/qKirRWalryBGqKirRWalryBG')?.detector).toBe(
      'slack-webhook',
    )
  })

  it('reports a PEM private key over the whole block', () => {
    const body = 'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0'
    const pem = `-----BEGIN RSA PRIVATE KEY-----\n${body}\n-----END RSA PRIVATE KEY-----`
    expect(one(`key:\n${pem}\n`)).toMatchObject({ detector: 'private-key', start: 5, end: 5 + pem.length })
  })

  it('reports JWTs, connection strings and URL credentials', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U'
    expect(one(`Authorization: Bearer ${jwt}`)).toMatchObject({ detector: 'jwt', start: 22, end: 22 + jwt.length })
    const conn = 'postgres://app:s3cr3tP4ss@db.internal:5432/app'
    expect(one(conn)).toMatchObject({ detector: 'connection-string', start: 15, end: 25 })
    expect(one('https://user:hunter2x@example.com/x')?.detector).toBe('url-credentials')
  })

  it('reports high-entropy values assigned to secret-like names', () => {
    expect(one('API_KEY = "q8Zr3LmX9vT2pK7wN4sB"')?.detector).toBe('generic-secret')
    expect(one('password: Xk9mQ2vL8pR4tZ7wN1')?.detector).toBe('generic-secret')
  })

  it('ignores PEM blocks whose body is a placeholder', () => {
    expect(detectSecrets('-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----')).toEqual([])
  })

  it('ignores placeholders, low-entropy values and ordinary prose', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal shell-style placeholder
    expect(detectSecrets('API_KEY=${API_KEY} token: <your-token> password = xxxxxxxxxxxxxxxx')).toEqual([])
    expect(detectSecrets('password = passwordpassword')).toEqual([])
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal shell-style placeholder
    expect(detectSecrets('https://${username}:${password}@api.example.com/v1')).toEqual([])
    expect(detectSecrets('The token economy is a secret to nobody; the password reset link expired.')).toEqual([])
  })

  it('handles empty and unicode input', () => {
    expect(detectSecrets('')).toEqual([])
    expect(detectSecrets('秘密 🔑 مفتاح')).toEqual([])
  })

  it('reports one hand-made fake credential of every provider format, in the context it appears in', () => {
    const missed = SECRET_FIXTURES.filter(
      ([detector, text]) => !detectSecrets(text).some((f) => f.detector === detector),
    )
    expect(missed.map(([detector, text]) => `${detector}: ${text}`)).toEqual([])
  })

  it('reports nothing in look-alikes: wrong lengths, glued prefixes, placeholders and public identifiers', () => {
    const flagged = BENIGN_LOOKALIKES.filter((text) => detectSecrets(text).length > 0)
    expect(flagged).toEqual([])
  })
})

/** Deterministic fake key material: `n` characters of `alphabet`, different for each `seed`. */
function fake(n: number, seed: number, alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789'): string {
  let state = seed * 2_654_435_761
  let out = ''
  for (let i = 0; i < n; i++) {
    state = (Math.imul(state ^ (state >>> 15), 2_246_822_507) + 0x9e3779b9) | 0
    out += alphabet[(state >>> 0) % alphabet.length]
  }
  return out
}
const HEX = '0123456789abcdef'

/** [detector expected, text]: one credential per provider family, as it shows up in config files, shells and logs. */
const SECRET_FIXTURES: readonly (readonly [string, string])[] = [
  ['onepassword-token', `OP_SERVICE_ACCOUNT_TOKEN=ops_eyJ${fake(140, 1)}`],
  ['anthropic-key', `ANTHROPIC_API_KEY="sk-ant-api03-${fake(93, 2)}AA"`],
  ['aws-access-key', `aws_access_key_id = ASIA${fake(16, 3, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`],
  ['aws-secret-key', `aws_secret_access_key: "${fake(40, 4)}"`],
  ['aws-account-id', 'AWS_ACCOUNT_ID=1234-5678-9012'],
  ['azure-storage-key', `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${fake(86, 5)}==;`],
  ['azure-sas', `Endpoint=sb://ns.servicebus.windows.net/;SharedAccessSignature=sv=2022&sig=${fake(43, 6)}`],
  // An assignment to a secret-like name: the generic rule covers the span first.
  ['generic-secret', `client_secret = "${fake(34, 7)}~${fake(5, 8)}"`],
  ['url-credentials', `curl https://deploy:${fake(18, 9)}@registry.example.net/v2/`],
  ['url-credentials', `git clone https://${fake(40, 10)}:x-oauth-basic@github.com/o/r.git`],
  ['cloudflare-token', `CF_API_TOKEN=cfut_${fake(40, 11)}${fake(8, 12, HEX)}`],
  ['connection-string', `DATABASE_URL=postgresql://app:${fake(20, 13)}@db.internal:5432/app`],
  ['connection-string', `mongodb+srv://svc:${fake(16, 14)}@cluster0.example.mongodb.net/`],
  ['databricks-token', `token: dapi${fake(32, 15, HEX)}-2`],
  ['docker-token', `echo dckr_pat_${fake(27, 16)} | docker login -u me --password-stdin`],
  ['figma-token', `FIGMA_TOKEN=figd_${fake(40, 17)}`],
  ['google-api-key', `"api_key": "AIza${fake(35, 18)}"`],
  ['github-token', `GITHUB_TOKEN=gho_${fake(36, 19)}`],
  ['github-token', `github_pat_${fake(22, 20)}_${fake(59, 21)}`],
  ['gitlab-token', `PRIVATE-TOKEN: glpat-${fake(20, 22)}`],
  ['grafana-token', `glsa_${fake(32, 23)}_${fake(8, 24, HEX)}`],
  ['grafana-token', `GRAFANA_CLOUD=glc_${fake(60, 25)}==`],
  ['groq-key', `GROQ_API_KEY=gsk_${fake(52, 26)}`],
  ['vault-token', `VAULT_TOKEN=hvs.${fake(90, 27)}`],
  ['huggingface-token', `HF_TOKEN=hf_${fake(34, 28, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ')}`],
  ['linear-key', `LINEAR_API_KEY=lin_api_${fake(40, 29)}`],
  ['notion-token', `NOTION_TOKEN=ntn_${fake(11, 30, '0123456789')}${fake(35, 31)}`],
  ['npm-token', `//registry.npmjs.org/:_authToken=npm_${fake(36, 32)}`],
  ['npm-token', `//npm.internal.example/:_authToken=${fake(40, 33)}`],
  ['openai-key', `OPENAI_API_KEY=sk-proj-${fake(20, 34)}T3BlbkFJ${fake(20, 35)}`],
  [
    'private-key',
    `-----BEGIN OPENSSH PRIVATE KEY-----\n${fake(70, 36)}\n${fake(70, 37)}\n-----END OPENSSH PRIVATE KEY-----`,
  ],
  ['private-key', `-----BEGIN EC PRIVATE KEY-----\n${fake(64, 38)}\n-----END EC PRIVATE KEY-----`],
  ['private-key', `"key": "-----BEGIN PRIVATE KEY-----\\n${fake(80, 39)}\\n-----END PRIVATE KEY-----\\n"`],
  ['ethereum-private-key', `wallet imported from 0x${fake(64, 40, HEX)}`],
  ['sendgrid-key', `SENDGRID_API_KEY=SG.${fake(22, 41)}.${fake(43, 42)}`],
  ['shopify-token', `X-Shopify-Access-Token: shpat_${fake(32, 43)}`],
  ['slack-token', `xoxp-123456789012-1234567890123-${fake(32, 44, HEX)}`],
  ['slack-token', `xapp-1-A${fake(10, 45, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}-1234567890123-${fake(64, 46, HEX)}`],
  ['slack-webhook', `https://hooks.slack.com/workflows/T0123ABCD/A0123ABCDE/${fake(24, 47)}`],
  ['discord-webhook', `https://discord.com/api/webhooks/123456789012345678/${fake(68, 48)}`],
  ['stripe-key', `Stripe.api_key = "rk_live_${fake(40, 49)}"`],
  ['tailscale-key', `TS_AUTHKEY=tskey-auth-${fake(17, 50)}-${fake(32, 51)}`],
  ['vercel-token', `VERCEL_TOKEN=vcp_${fake(48, 52)}`],
  ['jwt', `id_token=eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.${fake(43, 53)}`],
  ['generic-secret', `export DB_PASSWORD='${fake(20, 54)}'`],
  ['generic-secret', `client.auth_token: ${fake(32, 55)}`],
]

/** Text that looks like a credential and is not one: each must pass unreported. */
const BENIGN_LOOKALIKES: readonly string[] = [
  // One character short of the format, or glued to a longer word.
  `AKIA${'ABCDEFGHIJKLMNO'}`,
  `xAKIAABCDEFGHIJKLMNOP and 0tskey-api-${'A'.repeat(12)}-${'B'.repeat(24)}`,
  `ghp_${'a1B2c3'.repeat(5)}`,
  `SG.${fake(21, 60)}.${fake(43, 61)}`,
  `lin_api_${fake(30, 62)}`,
  'gsk_short',
  // Placeholders and documentation.
  'OPENAI_API_KEY=<your-api-key>',
  'aws_secret_access_key = YOUR_SECRET_ACCESS_KEY_HERE_0000000000000',
  'DATABASE_URL=postgres://user:password@localhost:5432/app',
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal shell-style placeholder
  'DATABASE_URL=postgres://user:${DB_PASSWORD}@localhost/app',
  '-----BEGIN PRIVATE KEY-----\n<your key here>\n-----END PRIVATE KEY-----',
  '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----',
  'token: xxxxxxxxxxxxxxxxxxxxxxxx',
  // Public identifiers and ordinary hex.
  'commit 9fceb02d0ae598e95dc970b74767f19372d61af8 (HEAD -> main)',
  `sha256:${fake(64, 63, HEX).replace(/[a-f]/g, '7')}`,
  'The password field must contain at least 12 characters.',
  'Use the API key from the settings page; tokens expire after 30 days.',
  'https://github.com/org/repo/blob/main/README.md',
]
