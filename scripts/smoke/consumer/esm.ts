import { stores } from './stores.js'
import { durable, http, withMiddy, withoutMiddy } from './usage.js'

await withoutMiddy()
await withMiddy()
await http()
await stores()
await durable()
console.log('esm consumer: ok')
