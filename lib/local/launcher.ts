import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** The line the launcher prints when its port is taken, so the caller can tell it from any other failure. */
export const PORT_TAKEN_MARKER = 'lambda-idempotency: port in use'

/**
 * DynamoDB Local's own launcher (ServerRunner) builds Jetty's `new Server(port)`, which listens on every interface,
 * and has no option for a host. This one assembles the same parts (read from DynamoDBLocal.jar 1.25.1 with javap)
 * on a server bound to 127.0.0.1: the request handler with `-sharedDb` semantics (every client, whatever its region
 * and credentials, sees the same tables), the server handler without CORS, and the handler collection
 * DynamoDBProxyServer.setUpHandler builds, which starts nothing itself. Unlike ServerRunner it sends no telemetry
 * and exits, rather than idling, when its port is taken.
 *
 * Arguments: the port, then `-inMemory` or the database folder.
 */
export const LAUNCHER_SOURCE = `import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBRequestHandler;
import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBServerHandler;
import java.net.BindException;
import java.net.InetSocketAddress;
import org.eclipse.jetty.server.Server;

public class LoopbackDynamoDBLocal {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    boolean inMemory = args[1].equals("-inMemory");
    String dbPath = inMemory ? null : args[1];
    LocalDynamoDBServerHandler handler = new LocalDynamoDBServerHandler(
        new LocalDynamoDBRequestHandler(0, inMemory, dbPath, true, false), null);
    Server server = new Server(new InetSocketAddress("127.0.0.1", port));
    server.setHandler(new DynamoDBProxyServer(port, handler).setUpHandler(handler));
    server.setStopAtShutdown(true);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try { handler.close(); } catch (Exception ignored) {}
    }));
    try {
      server.start();
    } catch (Exception error) {
      for (Throwable cause = error; cause != null; cause = cause.getCause()) {
        if (cause instanceof BindException) {
          System.err.println("${PORT_TAKEN_MARKER}: 127.0.0.1:" + port + " (" + cause.getMessage() + ")");
          System.exit(3);
        }
      }
      throw error;
    }
    System.out.println("DynamoDB Local listening on 127.0.0.1:" + port + (inMemory ? " (in memory)" : " (data in " + dbPath + ")"));
    server.join();
  }
}
`

/**
 * Writes the launcher into a new private folder (mode 0700, from mkdtemp) and returns both: java compiles the file in
 * memory when it starts (single-file source mode), and runs with the folder as its working directory. A fixed name
 * in the shared temp folder would let another local user put code of their own there first. The caller removes the
 * folder once java has exited.
 */
export function writeLauncher(): { readonly dir: string; readonly file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'lambda-idempotency-dynamodb-local-'))
  const file = join(dir, 'LoopbackDynamoDBLocal.java')
  writeFileSync(file, LAUNCHER_SOURCE, { mode: 0o600 })
  return { dir, file }
}
