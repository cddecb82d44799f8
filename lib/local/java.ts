import { execFile } from 'node:child_process'

/** What to install when there is no Java at all: one line, shared by every way DynamoDB Local is started. */
export const JAVA_HINT =
  'install a Java 17+ runtime (e.g. `apt-get install openjdk-17-jre-headless` or `brew install openjdk@17`) or set DYNAMODB_ENDPOINT to a running DynamoDB Local'

/**
 * The loopback launcher is a Java source file run as it stands (JEP 330), which needs the jdk.compiler module:
 * every JDK has it, and so do Debian's and Ubuntu's JRE packages, but a trimmed runtime (a jlink image, the
 * eclipse-temurin `-jre` images) does not.
 */
export const JDK_HINT =
  'install a full JDK 17+ (e.g. `apt-get install openjdk-17-jdk-headless`, `brew install openjdk@17`, or Temurin 17 JDK), or set DYNAMODB_ENDPOINT to a running DynamoDB Local'

const checks = new Map<string, Promise<void>>()

/**
 * Resolves when `javaPath` can run the launcher: Java 11 or later (`--list-modules`) with jdk.compiler. Without it
 * DynamoDB Local would have to use its own launcher, which listens on every network interface; this toolkit
 * refuses that rather than expose an unauthenticated database to the network.
 */
export function checkJava(javaPath: string): Promise<void> {
  let check = checks.get(javaPath)
  if (check === undefined) {
    check = new Promise<void>((resolve, reject) => {
      execFile(javaPath, ['--list-modules'], { timeout: 30_000 }, (error, stdout) => {
        if (error) {
          const missing = (error as NodeJS.ErrnoException).code === 'ENOENT'
          const outcome = missing ? 'was not found' : 'failed (Java 17 or later is needed)'
          return reject(
            new Error(
              `DynamoDB Local needs Java but \`${javaPath} --list-modules\` ${outcome}: ${JAVA_HINT}`,
            ),
          )
        }
        if (!/^jdk\.compiler@/m.test(stdout))
          return reject(
            new Error(
              `DynamoDB Local is started on 127.0.0.1 only by a Java source launcher, which needs the jdk.compiler module that \`${javaPath}\` lacks (a JRE-only build): ${JDK_HINT}`,
            ),
          )
        resolve()
      })
    })
    checks.set(javaPath, check)
    check.catch(() => checks.delete(javaPath))
  }
  return check
}
