type Missing<T, TNames extends readonly PropertyKey[]> = Exclude<keyof T, TNames[number]>

/**
 * The option names of an options type, checked by the compiler both ways: a name that is not an option fails,
 * and so does an option left out (the call then asks for a second argument, typed as the missing names), so a
 * wrapper's list of what it takes cannot drift from its type.
 */
export const optionNames =
  <T>() =>
  <const TNames extends readonly (keyof T & string)[]>(
    names: TNames,
    ..._complete: [Missing<T, TNames>] extends [never] ? [] : [missing: Missing<T, TNames>]
  ): TNames =>
    names

/**
 * Refuses, when the wrapper is built, option keys it does not take: a typo (`ttlSecond`) would otherwise be
 * ignored, and the default it meant to change would apply silently. The error lists every option it takes. A key
 * set to undefined (what a spread of shared options often leaves) changes nothing, and passes.
 */
export function refuseUnknownOptions(options: object, known: readonly string[], wrapper: string): void {
  const unknown = Object.entries(options).filter(
    ([name, value]) => value !== undefined && !known.includes(name),
  )
  if (unknown.length === 0) return
  const names = unknown.map(([name]) => `'${name}'`).join(', ')
  throw new TypeError(
    `${wrapper} does not take ${unknown.length === 1 ? 'the option' : 'the options'} ${names}. It takes: ${[...new Set(known)].join(', ')}.`,
  )
}

/**
 * The value of an option under its current name, or under its deprecated one with a warning: old names keep
 * working until the next major version. Both at once are refused unless they are the same value.
 */
export function renamedOption<T>(
  current: T | undefined,
  deprecated: T | undefined,
  names: { readonly current: string; readonly deprecated: string },
  logger: { warn(message: string, fields: Record<string, unknown>): void },
): T | undefined {
  if (deprecated === undefined) return current
  // Both, differing, is a migration half done: whichever were read, the other's value would be ignored silently.
  if (current !== undefined && current !== deprecated)
    throw new TypeError(
      `Given both '${names.current}' and the deprecated '${names.deprecated}', with different values: keep only '${names.current}'.`,
    )
  logger.warn(
    `The option '${names.deprecated}' is deprecated and will be removed in the next major version: use '${names.current}', which means the same.`,
    { option: names.deprecated },
  )
  return current ?? deprecated
}
