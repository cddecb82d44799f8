import { LocalDurableExecutions } from '../../lib/durable/index.js'

/** APIs in this process using the runner; its checkpoint server is one per process, shared by all of them. */
let users = 0
let ready: Promise<void> | undefined

/**
 * The SDK's local runner, set up by the first local API that pays out and torn down when the last one stops.
 * Real time (no skipped waits): the settlement wait and step retry delays take as long as they say.
 */
export function localDurableRunner() {
  let acquired = false
  return {
    async acquire(): Promise<void> {
      if (!acquired) {
        acquired = true
        users++
        ready ??= LocalDurableExecutions.setUp({ skipTime: false })
      }
      await ready
    },
    async release(): Promise<void> {
      if (!acquired) return
      acquired = false
      users--
      if (users > 0) return
      const setUp = ready
      ready = undefined
      await setUp
      await LocalDurableExecutions.tearDown()
    },
  }
}
