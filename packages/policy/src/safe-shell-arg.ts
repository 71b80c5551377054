import { POLICY_ERROR_CODES, PolicyError } from './errors.js'
import { argumentGuard, argumentNames, knownOptions, positiveInteger } from './internal/argument-guard.js'
import { isControl, isInvisibleFormat } from './internal/chars.js'
import type { ArgumentGuard } from './types.js'

/** Options of `safeShellArg`. */
export interface SafeShellArgOptions {
  /**
   * Accept values starting with `-` (option injection: `--upload-pack=...`, `-oProxyCommand`).
   * Default `false`.
   */
  readonly allowOptions?: boolean
  /** Accept non-ASCII letters and digits (`Résumé`). Default `false`. */
  readonly allowUnicode?: boolean
  /**
   * Characters accepted besides `A-Z a-z 0-9 _ . , / : = @ + % -`. Adding shell metacharacters
   * (`;|&$\`<>(){}[]*?~!#'"\\` and whitespace) is refused at creation: this guard exists to keep
   * them out. Default `''`.
   */
  readonly extraCharacters?: string
  /** Longest accepted value, in UTF-16 code units. Default 1024. */
  readonly maxLength?: number
  /** Arguments the middleware checks. Default: every top-level string and array-of-strings argument. */
  readonly args?: readonly string[]
}

const KNOWN = new Set(['allowOptions', 'allowUnicode', 'extraCharacters', 'maxLength', 'args'])
const BASE = new Set('_.,/:=@+%-')
const METACHARACTERS = new Set(';|&$`<>(){}[]*?~!#\'"\\ \t\n\r\v\f^')

function refuse(message: string, reason: string): PolicyError {
  return new PolicyError(POLICY_ERROR_CODES.ERR_POLICY_SHELL_ARG, message, { details: { reason } })
}

function isAsciiAlnum(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122)
}

/**
 * Argument guard for values a tool passes to a child process. Accepts a conservative character
 * set only, so that neither a shell (`sh -c`, `cmd /c`) nor the spawned program reads the value as
 * more than one plain argument: shell metacharacters, whitespace, quotes, globs, control and
 * invisible characters and a leading `-` (option injection) are refused.
 *
 * This is defence in depth: still spawn with `execFile`/`spawn` and an argument array, never
 * through a shell, and put `--` before positional arguments where the program supports it.
 *
 * @throws TypeError at creation on unknown options, or `extraCharacters` containing a shell
 * metacharacter, whitespace or a control character.
 * @throws PolicyError `ERR_POLICY_SHELL_ARG` with `details.reason`: `type`, `empty`, `length`,
 * `option` or `character`.
 * @see OWASP OS Command Injection Defense Cheat Sheet; CWE-88 (argument injection)
 * @example
 * ```ts
 * const branch = safeShellArg({ args: ['branch'] })
 * server.registerTool('checkout', { inputSchema: { branch: z.string() } },
 *   server.guard(branch).wrap(async ({ branch }) => run('git', ['checkout', '--', branch])))
 * ```
 */
export function safeShellArg(options: SafeShellArgOptions = {}): ArgumentGuard<string> {
  const where = 'safeShellArg'
  knownOptions(where, options, KNOWN)
  const allowOptions = options.allowOptions ?? false
  const allowUnicode = options.allowUnicode ?? false
  if (typeof allowOptions !== 'boolean' || typeof allowUnicode !== 'boolean') {
    throw new TypeError(`${where}: \`allowOptions\` and \`allowUnicode\` must be booleans`)
  }
  const extra = options.extraCharacters ?? ''
  if (typeof extra !== 'string') throw new TypeError(`${where}: \`extraCharacters\` must be a string`)
  for (const char of extra) {
    const code = char.codePointAt(0) as number
    if (METACHARACTERS.has(char) || isControl(code) || isInvisibleFormat(code)) {
      throw new TypeError(`${where}: \`extraCharacters\` must not contain ${JSON.stringify(char)}`)
    }
  }
  const allowed = new Set([...BASE, ...extra])
  const maxLength = positiveInteger(where, 'maxLength', options.maxLength, 1024)
  const args = argumentNames(where, options.args)
  const letterOrDigit = /^[\p{L}\p{N}\p{M}]$/u

  const check = async (value: unknown): Promise<string> => {
    if (typeof value !== 'string') throw refuse('Argument must be a string', 'type')
    if (value.length === 0) throw refuse('Argument is empty', 'empty')
    if (value.length > maxLength) throw refuse('Argument is too long', 'length')
    if (!allowOptions && value.charCodeAt(0) === 45) throw refuse('Argument must not start with "-"', 'option')
    for (const char of value) {
      const code = char.codePointAt(0) as number
      if (isAsciiAlnum(code) || allowed.has(char)) continue
      if (allowUnicode && code > 0x7f && !isInvisibleFormat(code) && !isControl(code) && letterOrDigit.test(char))
        continue
      throw refuse('Argument contains a forbidden character', 'character')
    }
    return value
  }
  return argumentGuard('safeShellArg', args, POLICY_ERROR_CODES.ERR_POLICY_SHELL_ARG, check, {
    allowOptions,
    allowUnicode,
  })
}
