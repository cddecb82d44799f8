/**
 * The parts of a `pg` Pool the store uses, so this package needs no import of `pg` (a peer the application
 * brings): `new pg.Pool(...)` fits, as does any pool with the same two methods.
 */
export interface PostgresQueryResult<TRow = Record<string, unknown>> {
  readonly rows: TRow[]
  readonly rowCount: number | null
}

export interface PostgresPoolClient {
  // biome-ignore lint/suspicious/noExplicitAny: pg types rows as any; callers name their own row type.
  query(text: string, values?: unknown[]): Promise<PostgresQueryResult<any>>
  /** Returns the client to the pool; with an error, the pool closes it instead of reusing it. */
  release(error?: Error | boolean): void
}

export interface PostgresPool {
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  query(text: string, values?: unknown[]): Promise<PostgresQueryResult<any>>
  connect(): Promise<PostgresPoolClient>
}
