/**
 * Own writes a store collects and sends with the completion, for stores whose transactions take a list of
 * writes (DynamoDB's TransactWriteItems, the in-memory store). Stores with open transactions (PostgreSQL) hand
 * the handler a transaction instead.
 */
export class CollectedWrites<TWrite> {
  readonly items: TWrite[] = []

  /**
   * @param maxItems how many writes may join one completion (DynamoDB: 99 beside the completion's own).
   * @param assertWritable the claim's check, called before any write is added.
   */
  constructor(
    private readonly maxItems: number = Number.POSITIVE_INFINITY,
    private readonly assertWritable?: () => void,
  ) {}

  add(...writes: TWrite[]): void {
    this.assertWritable?.()
    if (this.items.length + writes.length > this.maxItems)
      throw new RangeError(`At most ${this.maxItems} writes can join the completion transaction`)
    this.items.push(...writes)
  }
}

/** The writes in what `complete` was given: none when the handler never opened its own writes. */
export function collectedItems<TWrite>(ownWrites: unknown): readonly TWrite[] {
  // Read, not `instanceof`: the writes may come from the other build (ESM or CommonJS) of this package.
  const items = (ownWrites as Partial<CollectedWrites<TWrite>> | undefined)?.items
  return Array.isArray(items) ? items : []
}
