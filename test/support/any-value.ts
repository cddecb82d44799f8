import fc from 'fast-check'

/**
 * Any value JavaScript can hold, as a payload may be: Dates, boxed primitives, Maps and Sets, objects without a
 * prototype, sparse and typed arrays, and any Unicode. The canonical JSON's writers are held to each other on it.
 */
export const anyJavaScriptValue = () =>
  fc.anything({
    withDate: true,
    withBoxedValues: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withSparseArray: true,
    withTypedArray: true,
    withObjectString: true,
    withUnicodeString: true,
  })
