import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DynamoDBLocal, startDynamoDBLocal } from '../../lib/local/dynamodb-local.js'
import { listenAddresses, listenersOn } from '../../lib/local/ports.js'
import { startDynamoDBLocal as startForRepository } from '../../scripts/dynamodb-local.js'

let scratch: string
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'dynamodb-local-loopback-'))
})
afterAll(() => rm(scratch, { recursive: true, force: true }))

function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 2000 })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
    socket.once('timeout', () => {
      socket.destroy()
      resolve(false)
    })
  })
}

const outsideAddresses = () =>
  Object.values(networkInterfaces())
    .flat()
    .flatMap((address) =>
      address && !address.internal && address.family === 'IPv4' ? [address.address] : [],
    )

/** A `java` that runs, but lists the modules of a trimmed runtime (a jlink image): no jdk.compiler. */
async function jreOnlyJava(): Promise<string> {
  const path = join(scratch, 'java')
  await writeFile(path, '#!/bin/sh\nprintf "java.base@17.0.15\\njava.logging@17.0.15\\n"\n')
  await chmod(path, 0o755)
  return path
}

// Each start is a JVM, which takes seconds on a busy machine.
describe('DynamoDB Local on loopback', { timeout: 120_000 }, () => {
  it.skipIf(listenersOn(1) === undefined)(
    'listens on 127.0.0.1 only: /proc shows no other address, and the outside addresses refuse',
    async () => {
      const db: DynamoDBLocal = await startForRepository({ inMemory: true })
      try {
        expect(db.endpoint).toBe(`http://127.0.0.1:${db.port}`)
        expect(listenAddresses(db.pid, db.port)).toEqual(['127.0.0.1'])
        expect(listenersOn(db.port)?.map(({ address }) => address)).toEqual(['127.0.0.1'])
        expect(await reachable('127.0.0.1', db.port)).toBe(true)
        for (const address of outsideAddresses()) expect(await reachable(address, db.port)).toBe(false)
      } finally {
        await db.stop()
      }
    },
  )

  it('refuses a Java without jdk.compiler rather than listen on every interface, and names a JDK to install', async () => {
    const error = await startForRepository({ javaPath: await jreOnlyJava() }).then(
      (db) => db.stop().then(() => expect.fail('started without jdk.compiler')),
      (e: Error) => e,
    )

    expect(error.message).not.toContain('\n')
    expect(error.message).toContain('jdk.compiler')
    expect(error.message).toContain('apt-get install openjdk-17-jdk-headless')
    expect(error.message).toContain('DYNAMODB_ENDPOINT')
  })

  it('says what to install when the project has no amplify-dynamodb-simulator', async () => {
    const error = await startDynamoDBLocal({ projectDir: scratch }).then(
      (db) => db.stop().then(() => expect.fail('started without the jar')),
      (e: Error) => e,
    )

    expect(error.message).not.toContain('\n')
    expect(error.message).toContain(scratch)
    expect(error.message).toContain('`npm install -D amplify-dynamodb-simulator`')
    expect(error.message).toContain('Java 17+')
  })
})
