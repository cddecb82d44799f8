import { stores } from './stores.js'
import { http, withMiddy, withoutMiddy } from './usage.js'

await withoutMiddy()
await withMiddy()
await http()
await stores()
console.log('esm consumer: ok')
