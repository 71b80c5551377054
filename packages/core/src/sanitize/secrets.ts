import { compileRules, entropy, type Rule, runRules } from './internal/rules.js'
import type { Finding } from './types.js'

const WORD = /[A-Za-z0-9]/
const WORD_ = /[A-Za-z0-9_]/

const secret = (
  id: string,
  trigger: string,
  body: string,
  message: string,
  extra: Partial<Rule> = {},
  flags = 'y',
): Rule => ({
  id,
  category: 'secret',
  trigger,
  pattern: new RegExp(body, flags),
  score: 0.9,
  message,
  notAfter: WORD,
  ...extra,
})

/** Rejects obvious placeholders: `${VAR}`, `{{var}}`, `<token>`, `xxxx`, `****`, `DUMMY`, `example`. */
function notPlaceholder(value: string): boolean {
  if (/[${}<>*]/.test(value)) return false
  if (/dummy|example|placeholder|changeme|password|replace|your[_-]|redacted|^secret$|^abc$/i.test(value)) return false
  return !/^(.)\1+$/.test(value) && !/x{6}/i.test(value)
}

const highEntropy =
  (group: number, bits: number) =>
  (match: RegExpExecArray): boolean => {
    const value = match[group] ?? ''
    return notPlaceholder(value) && entropy(value) >= bits
  }

const ASSIGNMENT_KEYS = [
  'secret',
  'password',
  'passwd',
  'pwd',
  'token',
  'api_key',
  'apikey',
  'api-key',
  'access_key',
  'private_key',
  'client_secret',
  'auth',
] as const

/**
 * Credential rules: each a literal prefix (the trigger) and a sticky pattern with bounded repetition
 * and no nested quantifier. Formats follow the issuers' documented token layouts.
 */
export const SECRET_RULES: readonly Rule[] = Object.freeze([
  ...['AKIA', 'ASIA', 'ABIA', 'ACCA', 'AGPA', 'AIDA', 'AROA', 'ANPA', 'ANVA', 'APKA'].map((prefix) =>
    secret('aws-access-key', prefix, `${prefix}[A-Z0-9]{16}(?![A-Za-z0-9])`, 'AWS access key id'),
  ),
  secret(
    'aws-secret-key',
    'aws_secret_access_key',
    'aws_secret_access_key["\']?\\s{0,4}[:=]{1,2}>?\\s{0,4}["\']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])',
    'AWS secret access key',
    { caseInsensitive: true, group: 1, notAfter: WORD, accept: highEntropy(1, 3.5) },
    'iy',
  ),
  secret(
    'aws-account-id',
    'aws_account_id',
    'aws_account_id["\']?\\s{0,4}[:=]{1,2}>?\\s{0,4}["\']?(\\d{4}-?\\d{4}-?\\d{4})\\b',
    'AWS account id',
    { caseInsensitive: true, group: 1, notAfter: WORD },
    'iy',
  ),
  ...['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'].map((prefix) =>
    secret('github-token', prefix, `${prefix}[A-Za-z0-9]{36,255}(?![A-Za-z0-9])`, 'GitHub token'),
  ),
  secret('github-token', 'ghs_', 'ghs_\\d{1,12}_eyJ[A-Za-z0-9_.-]{20,4096}', 'GitHub App installation token'),
  secret('github-token', 'github_pat_', 'github_pat_[A-Za-z0-9_]{82,255}', 'GitHub fine-grained token'),
  secret('gitlab-token', 'glpat-', 'glpat-[A-Za-z0-9_-]{20,64}', 'GitLab personal access token'),
  ...['xoxb-', 'xoxp-', 'xoxa-', 'xoxo-', 'xoxr-', 'xoxs-', 'xoxe-'].map((prefix) =>
    secret('slack-token', prefix, `${prefix}[0-9]{6,16}-[A-Za-z0-9-]{6,120}`, 'Slack token'),
  ),
  secret('slack-token', 'xapp-', 'xapp-\\d-[A-Z0-9]{6,16}-\\d{6,16}-[a-f0-9]{32,80}', 'Slack app token'),
  secret(
    'slack-webhook',
    'https://hooks.slack.com/',
    'https:\\/\\/hooks\\.slack\\.com\\/(?:services|workflows)\\/T[A-Z0-9]{6,12}\\/[AB][A-Z0-9]{6,12}\\/[A-Za-z0-9]{16,48}',
    'Slack webhook URL',
  ),
  secret(
    'discord-webhook',
    'https://discord.com/api/webhooks/',
    'https:\\/\\/discord\\.com\\/api\\/webhooks\\/\\d{8,24}\\/[A-Za-z0-9_-]{40,80}',
    'Discord webhook URL',
  ),
  ...['sk_live_', 'rk_live_', 'sk_test_', 'rk_test_'].map((prefix) =>
    secret('stripe-key', prefix, `${prefix}[A-Za-z0-9]{24,247}`, 'Stripe secret key'),
  ),
  secret('anthropic-key', 'sk-ant-', 'sk-ant-(?:api|admin)\\d{2}-[A-Za-z0-9_-]{80,120}', 'Anthropic API key'),
  secret(
    'openai-key',
    'sk-',
    'sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,200}T3BlbkFJ[A-Za-z0-9_-]{16,200}',
    'OpenAI API key',
  ),
  secret('google-api-key', 'AIza', 'AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])', 'Google API key'),
  secret('npm-token', 'npm_', 'npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])', 'npm access token'),
  secret('npm-token', '_authToken=', '_authToken=([A-Za-z0-9_.+/=-]{20,512})', 'npm registry token', {
    group: 1,
    notAfter: /(?!)/,
    accept: (m) => notPlaceholder(m[1] ?? ''),
  }),
  secret('sendgrid-key', 'SG.', 'SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}', 'SendGrid API key'),
  ...['shpat_', 'shpca_', 'shppa_', 'shpss_'].map((prefix) =>
    secret('shopify-token', prefix, `${prefix}[A-Za-z0-9]{32}(?![A-Za-z0-9])`, 'Shopify access token'),
  ),
  secret('huggingface-token', 'hf_', 'hf_[A-Za-z]{34}(?![A-Za-z0-9])', 'Hugging Face token'),
  secret('linear-key', 'lin_api_', 'lin_api_[A-Za-z0-9]{40}', 'Linear API key'),
  secret('notion-token', 'ntn_', 'ntn_\\d{11}[A-Za-z0-9]{35}(?![A-Za-z0-9])', 'Notion integration token'),
  secret('tailscale-key', 'tskey-', 'tskey-[a-z]{2,12}-[A-Za-z0-9]{8,32}-[A-Za-z0-9]{16,64}', 'Tailscale key', {
    notAfter: WORD,
  }),
  secret('groq-key', 'gsk_', 'gsk_[A-Za-z0-9]{52}', 'Groq API key'),
  secret('figma-token', 'figd_', 'figd_[A-Za-z0-9_-]{40,64}', 'Figma token'),
  secret('databricks-token', 'dapi', 'dapi[a-fA-F0-9]{32}(?:-\\d)?(?![A-Za-z0-9])', 'Databricks token'),
  secret('vault-token', 'hvs.', 'hvs\\.[A-Za-z0-9_-]{24,128}', 'HashiCorp Vault token'),
  secret('grafana-token', 'glc_', 'glc_[A-Za-z0-9+/]{32,400}={0,2}', 'Grafana Cloud token'),
  secret('grafana-token', 'glsa_', 'glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}', 'Grafana service account token'),
  secret('docker-token', 'dckr_pat_', 'dckr_pat_[A-Za-z0-9_-]{27,64}', 'Docker Hub token'),
  secret('onepassword-token', 'ops_eyJ', 'ops_eyJ[A-Za-z0-9+/=_-]{100,4096}', '1Password service account token'),
  ...['cfat_', 'cfut_', 'cfk_'].map((prefix) =>
    secret('cloudflare-token', prefix, `${prefix}[A-Za-z0-9]{40}[a-f0-9]{8}(?![A-Za-z0-9])`, 'Cloudflare API token'),
  ),
  ...['vcp_', 'vci_', 'vca_', 'vcr_', 'vck_'].map((prefix) =>
    secret('vercel-token', prefix, `${prefix}[A-Za-z0-9]{24,64}(?![A-Za-z0-9])`, 'Vercel token'),
  ),
  secret('azure-storage-key', 'AccountKey=', 'AccountKey=([A-Za-z0-9+/]{86,88}={0,2})', 'Azure storage account key', {
    group: 1,
    notAfter: /(?!)/,
  }),
  secret(
    'azure-sas',
    'SharedAccessSignature=',
    'SharedAccessSignature=([^;\\s"\']{20,512})',
    'Azure shared access signature',
    { group: 1, notAfter: /(?!)/ },
  ),
  secret(
    'azure-client-secret',
    'secret',
    'secret["\']?\\s{0,4}:?=\\s{0,4}["\']?([A-Za-z0-9_~.-]{34,40})(?![A-Za-z0-9_~.-])',
    'Azure client secret',
    { caseInsensitive: true, group: 1, notAfter: /(?!)/, accept: highEntropy(1, 4) },
    'iy',
  ),
  secret('private-key', '-----BEGIN ', '-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----', 'Private key', {
    notAfter: /(?!)/,
    score: 1,
  }),
  secret(
    'jwt',
    'eyJ',
    'eyJ[A-Za-z0-9_-]{8,4096}\\.eyJ[A-Za-z0-9_-]{8,8192}\\.[A-Za-z0-9_-]{0,4096}',
    'JSON Web Token',
    {
      notAfter: /[A-Za-z0-9_-]/,
      score: 0.8,
    },
  ),
  secret(
    'connection-string',
    '://',
    '(?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\\+srv)?|rediss?|amqps?|mssql|sqlserver|couchdb|clickhouse):\\/\\/[^\\s:@/"\']{1,128}:([^\\s@/"\']{1,256})@',
    'Database connection string with a password',
    { backOver: /[a-z0-9+]/, group: 1, accept: (m) => notPlaceholder(m[1] ?? '') },
  ),
  secret(
    'url-credentials',
    '://',
    '[a-z][a-z0-9+.-]{0,16}:\\/\\/[^\\s:@/"\'\\[\\](){}]{1,128}:([^\\s/"\'\\[\\](){}]{1,256})@[A-Za-z0-9.-]{1,253}',
    'Credentials in a URL',
    {
      backOver: /[a-z0-9+.-]/,
      group: 1,
      accept: (m) => notPlaceholder(m[1] ?? '') && m[1] !== 'x-oauth-basic',
    },
  ),
  secret('url-credentials', ':x-oauth-basic@', '[A-Za-z0-9]{20,64}(?=:x-oauth-basic@)', 'Token in a git URL', {
    backOver: /[A-Za-z0-9]/,
    backMax: 64,
    notAfter: /(?!)/,
  }),
  secret('ethereum-private-key', '0x', '0x([a-fA-F0-9]{64})(?![A-Za-z0-9])', 'Hex private key (secp256k1)', {
    group: 1,
    score: 0.6,
    notAfter: WORD_,
    accept: (m) => {
      const hex = m[1] ?? ''
      return /[a-f]/i.test(hex) && /\d/.test(hex) && entropy(hex) >= 3.2
    },
  }),
  ...ASSIGNMENT_KEYS.map((key) =>
    secret(
      'generic-secret',
      key,
      `${key}[A-Za-z0-9_.-]{0,24}["']?\\s{0,4}[:=]{1,2}>?\\s{0,4}["'\`]?([A-Za-z0-9_+/.~-]{16,128}={0,2})(?![A-Za-z0-9_+/.~=-])`,
      'High-entropy value assigned to a secret-like name',
      { caseInsensitive: true, group: 1, notAfter: /[a-z]/, score: 0.7, accept: highEntropy(1, 3.6) },
      'iy',
    ),
  ),
])

const COMPILED = compileRules(SECRET_RULES)

/** Where the END line of a PEM private key is searched (characters after BEGIN). */
const MAX_PEM = 16_384

/**
 * Finds credentials: AWS, Google, Azure keys; GitHub, GitLab, npm, Docker, Vault, Grafana,
 * Databricks, Hugging Face, OpenAI, Anthropic, Groq, Stripe, Shopify, SendGrid, Linear, Notion,
 * Figma, Vercel, Cloudflare, Tailscale, 1Password tokens; Slack and Discord tokens and webhooks;
 * PEM private keys (the whole block); JWTs; database connection strings and URLs with a password;
 * hex private keys; and high-entropy values assigned to secret-like names (`API_KEY = ...`).
 * Placeholders (`${TOKEN}`, `<token>`, `xxxx`, `DUMMY`) are not reported. Spans cover the secret
 * itself, not the key name, so a redaction keeps `password=[REDACTED:generic-secret]` readable.
 *
 * Linear time: literal prefixes, bounded sticky patterns, and a bounded search for the PEM end line.
 *
 * @example
 * ```ts
 * detectSecrets('key: AKIAIOSFODNN7EXAMPLE') // [{ detector: 'aws-access-key', start: 5, end: 25, ... }]
 * ```
 */
export function detectSecrets(text: string): Finding[] {
  const out: Finding[] = []
  runRules(text, COMPILED, out)
  for (let i = 0; i < out.length; i++) {
    const finding = out[i] as Finding
    if (finding.detector !== 'private-key') continue
    const endMarker = text.indexOf('PRIVATE KEY', finding.end)
    if (endMarker >= 0 && endMarker - finding.end < MAX_PEM) {
      const close = text.indexOf('-----', endMarker)
      if (close >= 0 && close - endMarker < 40) out[i] = { ...finding, end: close + 5 }
      // A body shorter than any real key ("...", "xxx", "***") is a documentation placeholder.
      const body = text.slice(finding.end, endMarker).replace(/\\n|[^A-Za-z0-9+/=]/g, '')
      if (body.length < 64 || !notPlaceholder(body.slice(0, 64))) out[i] = { ...finding, score: 0 }
    } else {
      out[i] = { ...finding, end: Math.min(text.length, tokenBlockEnd(text, finding.end)) }
    }
  }
  return dedupe(out.filter((f) => f.score > 0))
}

/** End of the base64 body that follows an unterminated PEM header. */
function tokenBlockEnd(text: string, from: number): number {
  const stop = Math.min(text.length, from + MAX_PEM)
  let i = from
  while (i < stop && /[A-Za-z0-9+/=\s\\n]/.test(text.charAt(i))) i++
  return i
}

/** Drops findings contained in another (a connection string is not also a URL credential). */
function dedupe(findings: Finding[]): Finding[] {
  findings.sort((a, b) => a.start - b.start || b.end - a.end)
  const out: Finding[] = []
  let lastEnd = -1
  for (const f of findings) {
    if (f.end <= lastEnd) continue
    out.push(f)
    lastEnd = Math.max(lastEnd, f.end)
  }
  return out
}
