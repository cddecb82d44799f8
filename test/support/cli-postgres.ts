import { inject } from 'vitest'
import { type CliOptions, runCli } from './cli.js'

/** The test run's PostgreSQL, as the operator would pass it. */
export const databaseUrl = (): string => inject('databaseUrl')

/** The test server's URL with one part wrong: another port, password or database. */
export function urlWith(change: { port?: number; password?: string; database?: string }): string {
  const url = new URL(databaseUrl())
  if (change.port !== undefined) url.port = String(change.port)
  if (change.password !== undefined) url.password = change.password
  if (change.database !== undefined) url.pathname = `/${change.database}`
  return url.toString()
}

/** `lambda-idempotency <command> --database-url <test server> --table <table> <args>`. */
export function pgCli(table: string) {
  return (command: string, args: readonly string[] = [], options: CliOptions = {}) =>
    runCli([command, '--database-url', databaseUrl(), '--table', table, ...args], options)
}
