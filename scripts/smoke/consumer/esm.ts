import { http, withMiddy, withoutMiddy } from './usage.js'

await withoutMiddy()
await withMiddy()
await http()
console.log('esm consumer: ok')
