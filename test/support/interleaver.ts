import { AsyncLocalStorage } from 'node:async_hooks'

/** `until-clock-jump`: a stalled invocation that wakes only after its lease could have run out; `forever`: a crash. */
export type Hold = 'normal' | 'until-clock-jump' | 'forever'

export interface Parked<TActor> {
  readonly actor: TActor
  readonly label: string
  readonly hold: Hold
  readonly jumpsAtPark: number
  readonly resume: () => void
}

/**
 * A cooperative scheduler for concurrent invocations ("actors"): each runs until it parks at a gate (before and
 * after every store call, after the side effect), and the driver picks which parked actor moves next. Only one
 * actor moves at a time and the driver waits until it parks again, so a list of choices replays the same
 * interleaving, and fast-check can shrink it.
 */
/**
 * One for every interleaver: Node keeps each AsyncLocalStorage ever enabled in a list it walks on every promise
 * it creates, so one per run made a long run quadratic. The owner tells this run's actors from another's.
 */
const current = new AsyncLocalStorage<{ readonly owner: object; readonly actor: unknown }>()

export class Interleaver<TActor> {
  private running = 0
  private whenSettled: (() => void) | undefined
  private readonly parked: Parked<TActor>[] = []
  /** Gates passed, across all actors. */
  steps = 0
  /** Clock jumps so far; a stalled actor becomes movable after one. */
  jumps = 0

  spawn<T>(actor: TActor, body: () => Promise<T>): Promise<T> {
    this.running++
    const done = current.run({ owner: this, actor }, body)
    const stop = () => this.stopped()
    done.then(stop, stop)
    return done
  }

  /** The actor whose code is running, as seen from inside it (the store, the SDK middleware, the handler). */
  actor(): TActor | undefined {
    const store = current.getStore()
    return store?.owner === this ? (store.actor as TActor) : undefined
  }

  /** Parks the calling actor until the driver releases it; outside an actor it passes straight through. */
  gate(label: string, hold: Hold = 'normal'): Promise<void> {
    const actor = this.actor()
    if (actor === undefined) return Promise.resolve()
    return new Promise<void>((resume) => {
      this.parked.push({ actor, label, hold, jumpsAtPark: this.jumps, resume })
      this.stopped()
    })
  }

  /** Resolves once every actor is parked or finished. */
  async settle(timeoutMs: number): Promise<void> {
    if (this.running === 0) return
    let timer: NodeJS.Timeout | undefined
    try {
      await new Promise<void>((resolve, reject) => {
        this.whenSettled = resolve
        timer = setTimeout(
          () => reject(new Error(`${this.running} actor(s) still moving after ${timeoutMs} ms`)),
          timeoutMs,
        )
      })
    } finally {
      clearTimeout(timer)
      this.whenSettled = undefined
    }
  }

  /** Parked actors the driver may move now, in the order they parked. */
  movable(): Parked<TActor>[] {
    return this.parked.filter(
      (gate) => gate.hold === 'normal' || (gate.hold === 'until-clock-jump' && this.jumps > gate.jumpsAtPark),
    )
  }

  /** Stalled actors that only a clock jump can wake. */
  stalled(): number {
    return this.parked.filter((gate) => gate.hold === 'until-clock-jump').length
  }

  release(gate: Parked<TActor>): void {
    this.parked.splice(this.parked.indexOf(gate), 1)
    this.running++
    this.steps++
    gate.resume()
  }

  private stopped(): void {
    this.running--
    if (this.running === 0) this.whenSettled?.()
  }
}
