/**
 * JSON members by name, whatever the name. JSON.parse makes `"__proto__"` an own member like any other, but an
 * assignment `copy["__proto__"] = v` into `{}` sets the copy's prototype instead, and a read `value[name]` finds
 * `constructor` or `toString` on Object.prototype when the member is absent. These helpers do neither.
 */

/**
 * The own enumerable members of `value` in sorted order, copied into an object without a prototype, where every
 * name (`__proto__` included) is a plain member. As for any object, integer-like names come first in numeric
 * order whatever the insertion order: the canonical form, and so every stored fingerprint, depends on that.
 */
export function sortedMembers(value: object): Record<string, unknown> {
  const sorted: Record<string, unknown> = Object.create(null)
  for (const name of Object.keys(value).sort()) sorted[name] = (value as Record<string, unknown>)[name]
  return sorted
}

/** The member `name` of a parsed JSON object or the element at an index of an array; undefined for others. */
export function jsonMember(value: unknown, name: string): unknown {
  if (value === null || typeof value !== 'object') return undefined
  if (Array.isArray(value) ? !/^(0|[1-9]\d*)$/.test(name) : !Object.hasOwn(value, name)) return undefined
  return (value as Record<string, unknown>)[name]
}
