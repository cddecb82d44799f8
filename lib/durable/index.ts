export {
  CLAIM_STEP,
  COMPLETE_STEP,
  type DurableIdempotencyOptions,
  makeDurableIdempotent,
  RELEASE_STEP,
} from './durable-idempotent.js'
export { MAX_EXECUTION_TIMEOUT_SECONDS } from './durable-terms.js'
export type {
  DurableContextLike,
  DurableEnvelope,
  DurableRetryDecision,
  DurableStepConfig,
} from './types.js'
