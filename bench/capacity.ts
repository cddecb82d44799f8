import {
  DescribeTableCommand,
  type DynamoDBClient,
  GetItemCommand,
  type GetItemCommandInput,
} from '@aws-sdk/client-dynamodb'
import type { MeteredCall, ReadConsistency, ReadImage, WriteImage } from './cost.js'
import type { Item } from './dynamodb.js'
import { itemBytes } from './item-size.js'

/**
 * Sizes what each DynamoDB call touches, so request units come from the items really written and read rather
 * than from a table of assumptions. An SDK middleware reads every target item just before the call and, for
 * writes, again just after, through a separate client that nothing counts. DynamoDB Local does not report
 * capacity for refused conditional writes (nor does DynamoDB), so units are computed from these images by the
 * published rules (bench/cost.ts).
 */

interface Target {
  readonly table: string
  /** The key sent (Update, Delete, ConditionCheck, Get), or the whole item (Put). */
  readonly key?: Item
  readonly item?: Item
}

interface ReadTarget extends Target {
  readonly consistency: ReadConsistency
}

interface Targets {
  readonly transactional: boolean
  readonly writes: readonly Target[]
  readonly reads: readonly ReadTarget[]
}

type Input = Record<string, unknown>
type TransactAction = Record<string, { TableName: string; Key?: Item; Item?: Item } | undefined>

const consistencyOf = (input: { ConsistentRead?: boolean }): ReadConsistency =>
  input.ConsistentRead ? 'strong' : 'eventual'

/** Which items a call writes and reads, from its input. A call the model cannot size is refused loudly. */
export function targetsOf(command: string, input: Input): Targets {
  const table = input.TableName as string
  switch (command) {
    case 'PutItem':
      return { transactional: false, writes: [{ table, item: input.Item as Item }], reads: [] }
    case 'UpdateItem':
    case 'DeleteItem':
      return { transactional: false, writes: [{ table, key: input.Key as Item }], reads: [] }
    case 'GetItem':
      return {
        transactional: false,
        writes: [],
        reads: [{ table, key: input.Key as Item, consistency: consistencyOf(input) }],
      }
    case 'TransactWriteItems': {
      const actions = (input.TransactItems as TransactAction[]).flatMap((action) => Object.values(action))
      const writes = actions.flatMap((action) =>
        action === undefined ? [] : [{ table: action.TableName, key: action.Key, item: action.Item }],
      )
      return { transactional: true, writes, reads: [] }
    }
    case 'BatchGetItem': {
      const requests = Object.entries(
        input.RequestItems as Record<string, { Keys: Item[]; ConsistentRead?: boolean }>,
      )
      const reads = requests.flatMap(([name, request]) =>
        request.Keys.map((key) => ({ table: name, key, consistency: consistencyOf(request) })),
      )
      return { transactional: false, writes: [], reads }
    }
    default:
      throw new Error(
        `bench/capacity cannot size ${command}: add its rule before pricing a path that uses it`,
      )
  }
}

/** Installs on any number of clients; `of` finds a call's images by the input object the SDK was given. */
export interface CapacityMeter {
  install(client: DynamoDBClient): void
  of(input: object): MeteredCall | undefined
}

/** `sizer` reads the images; it must be a client the meter is not installed on. */
export function capacityMeter(sizer: DynamoDBClient): CapacityMeter {
  const metered = new WeakMap<object, MeteredCall>()
  const keyNames = new Map<string, Promise<string[]>>()

  const keyNamesOf = (table: string) => {
    let names = keyNames.get(table)
    if (names === undefined) {
      names = sizer
        .send(new DescribeTableCommand({ TableName: table }))
        .then(({ Table }) => (Table?.KeySchema ?? []).map((element) => element.AttributeName as string))
      keyNames.set(table, names)
    }
    return names
  }

  async function keyOf(target: Target): Promise<Item> {
    if (target.key !== undefined) return target.key
    const item = target.item ?? {}
    return Object.fromEntries((await keyNamesOf(target.table)).map((name) => [name, item[name]])) as Item
  }

  async function bytesStored(target: Target): Promise<number> {
    const input: GetItemCommandInput = {
      TableName: target.table,
      Key: await keyOf(target),
      ConsistentRead: true,
    }
    const { Item } = await sizer.send(new GetItemCommand(input))
    return Item === undefined ? 0 : itemBytes(Item)
  }

  const allBytes = (targets: readonly Target[]) => Promise.all(targets.map(bytesStored))

  return {
    install(client) {
      client.middlewareStack.add(
        (next, context) => async (args) => {
          const command = context.commandName?.replace(/Command$/, '') ?? 'unknown'
          const input = args.input as Input
          const { transactional, writes, reads } = targetsOf(command, input)
          const before = await allBytes(writes)
          const read = await allBytes(reads)
          try {
            return await next(args)
          } finally {
            const after = await allBytes(writes)
            metered.set(input, {
              command,
              transactional,
              writes: writes.map(
                (target, i): WriteImage => ({
                  beforeBytes: before[i] ?? 0,
                  afterBytes: after[i] ?? 0,
                  sentBytes: target.item === undefined ? 0 : itemBytes(target.item),
                }),
              ),
              reads: reads.map(
                (target, i): ReadImage => ({ bytes: read[i] ?? 0, consistency: target.consistency }),
              ),
            })
          }
        },
        { step: 'initialize', name: 'benchCapacityMeter', override: true },
      )
    },
    of: (input) => metered.get(input),
  }
}
