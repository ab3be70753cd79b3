// DynamoDB Local as the local stack runs it (compiled and started by local/dynamodb-local.ts).
//
// DynamoDB Local has no option for the address it listens on: it builds Jetty's Server(port), which
// binds every interface, and no Jetty system property changes that. So this launcher builds the
// same server from the same command line, then, before it starts:
//  - moves its one connector to 127.0.0.1 and a free port (printed once listening);
//  - puts a gate in front of its handler: only requests carrying this run's token (the environment
//    variable DYNAMODB_LOCAL_FRONT_TOKEN, in the x-comfy-exec-front-token header) get through.
// DynamoDB Local accepts any signature at all, so local/dynamodb-front.ts checks them and is the
// only caller that knows the token: any other user of the machine reaching this port gets 403.
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import org.eclipse.jetty.server.AbstractNetworkConnector;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

class DynamoDbLocalLoopback {
  static final String TOKEN_HEADER = "x-comfy-exec-front-token";

  public static void main(String[] args) throws Exception {
    String token = System.getenv("DYNAMODB_LOCAL_FRONT_TOKEN");
    if (token == null || token.isEmpty())
      throw new IllegalStateException("DYNAMODB_LOCAL_FRONT_TOKEN is not set");
    byte[] expected = token.getBytes(StandardCharsets.UTF_8);
    // Its command line insists on a port; the connector is moved to a free one below.
    String[] withPort = Arrays.copyOf(args, args.length + 2);
    withPort[args.length] = "-port";
    withPort[args.length + 1] = "8000";
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(withPort);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    if (server.getConnectors().length != 1)
      throw new IllegalStateException("DynamoDB Local has " + server.getConnectors().length + " connectors");
    AbstractNetworkConnector connector = (AbstractNetworkConnector) server.getConnectors()[0];
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.insertHandler(new Handler.Wrapper() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String given = request.getHeaders().get(TOKEN_HEADER);
        if (given != null && MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8)))
          return super.handle(request, response, callback);
        Response.writeError(request, response, callback, 403, "only the local stack's DynamoDB front may call this port");
        return true;
      }
    });
    // When the stack's process goes, however it ends (even killed), its end of our stdin closes:
    // then we go too, and no orphan keeps serving the tables.
    Thread orphanWatch = new Thread(() -> {
      try {
        while (System.in.read() != -1) {}
      } catch (java.io.IOException closed) {
        // as good as the end of input
      }
      System.exit(0);
    });
    orphanWatch.setDaemon(true);
    orphanWatch.start();
    proxy.start();
    // start() reports a failure to listen on stderr and returns: nothing may be served then.
    if (connector.getLocalPort() <= 0) System.exit(1);
    System.out.println("comfy-exec: DynamoDB Local listening on 127.0.0.1:" + connector.getLocalPort());
    System.out.flush();
  }
}
