export {
  IdempotencyTable,
  type IdempotencyTableImportOptions,
  type IdempotencyTableProps,
} from './idempotency-table.js'
export { IdempotencyTableBase, type IIdempotencyTable } from './idempotency-table-base.js'
export { IDEMPOTENCY_KEY_ACTIONS, IDEMPOTENCY_STORE_ACTIONS } from './store-actions.js'
