import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createConnectionTableInput } from '../../lambda/adapters/connection-table';
import { synthFast } from './app-template';

let t: ReturnType<typeof synthFast>;
beforeAll(() => {
  t = synthFast();
});

const byLogicalId = (type: string) => t.controlPlane.findResources(type) as Record<string, any>;

describe("ComfyUI's websocket in CDK", () => {
  it('is a WebSocket API whose $connect requires the API key its authorizer names, on a throttled, logged prod stage', () => {
    t.controlPlane.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'WEBSOCKET',
      ApiKeySelectionExpression: '$context.authorizer.usageIdentifierKey',
    });
    const routes = Object.values(byLogicalId('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(['$connect', '$default', '$disconnect']);
    for (const route of routes) expect(route.ApiKeyRequired === true).toBe(route.RouteKey === '$connect');
    // The authorizer: a Lambda REQUEST authorizer on $connect only, asked for every upgrade.
    const connect = routes.find((r) => r.RouteKey === '$connect');
    expect(connect.AuthorizationType).toBe('CUSTOM');
    const authorizers = Object.entries(byLogicalId('AWS::ApiGatewayV2::Authorizer'));
    expect(authorizers).toHaveLength(1);
    const [authorizerId, authorizer] = authorizers[0]!;
    expect(connect.AuthorizerId).toEqual({ Ref: authorizerId });
    expect(authorizer.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      IdentitySource: ['route.request.header.Host'],
    });
    expect(JSON.stringify(authorizer.Properties.AuthorizerUri)).toContain('ComfyuiSocketAuthorizer');
    for (const route of routes.filter((r) => r.RouteKey !== '$connect'))
      expect(route.AuthorizationType ?? 'NONE').toBe('NONE');
    t.controlPlane.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: 'prod',
      AutoDeploy: true,
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 }),
    });
    // The REST API's one key, through a second usage plan that names the websocket stage.
    const plans = Object.values(byLogicalId('AWS::ApiGateway::UsagePlan'));
    expect(plans).toHaveLength(2);
    const keys = Object.values(byLogicalId('AWS::ApiGateway::UsagePlanKey')).map((k) => k.Properties.KeyId);
    expect(keys).toHaveLength(2);
    expect(keys[0]).toEqual(keys[1]);
    t.controlPlane.hasOutput('ComfyUiWebSocketUrl', Match.anyValue());
    // An operator adds a key by putting it in both plans: the output names them, REST first.
    const planIds = Object.keys(byLogicalId('AWS::ApiGateway::UsagePlan'));
    const restPlan = planIds.find((id) => !id.includes('ComfyUiSocket'))!;
    const socketPlan = planIds.find((id) => id.includes('ComfyUiSocket'))!;
    t.controlPlane.hasOutput('UsagePlanIds', {
      Value: { 'Fn::Join': ['', [{ Ref: restPlan }, ' ', { Ref: socketPlan }]] },
    });
  });

  it('keeps connections in a table like the local one, with a TTL and a stream', () => {
    const local = createConnectionTableInput('connections');
    t.controlPlane.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: local.KeySchema,
      TimeToLiveSpecification: { AttributeName: 'expires_at', Enabled: true },
      StreamSpecification: { StreamViewType: local.StreamSpecification!.StreamViewType },
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: local.GlobalSecondaryIndexes![0]!.IndexName,
          KeySchema: Match.anyValue(),
        }),
      ],
    });
  });

  it('feeds both streams to one function, in order, retried, bisected, partial failures reported, then a DLQ', () => {
    const mappings = Object.values(byLogicalId('AWS::Lambda::EventSourceMapping'))
      .map((m) => m.Properties)
      .filter((m) => JSON.stringify(m.FunctionName).includes('ComfyuiEvents'));
    expect(mappings).toHaveLength(2);
    for (const mapping of mappings) {
      expect(mapping).toMatchObject({
        StartingPosition: 'LATEST',
        ParallelizationFactor: 1,
        MaximumRetryAttempts: 5,
        BisectBatchOnFunctionError: true,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        MaximumRecordAgeInSeconds: 3600,
        DestinationConfig: { OnFailure: { Destination: expect.anything() } },
      });
    }
    expect(new Set(mappings.map((m) => JSON.stringify(m.FunctionName))).size).toBe(1);
    t.controlPlane.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Namespace: 'AWS/Lambda',
    });
  });

  it('lets only the websocket functions post to connections, on the prod stage', () => {
    const policies = Object.values(byLogicalId('AWS::IAM::Policy'));
    const posting = policies.filter((p) =>
      p.Properties.PolicyDocument.Statement.some((s: any) =>
        [s.Action].flat().includes('execute-api:ManageConnections'),
      ),
    );
    expect(posting.map((p) => p.Properties.PolicyName).sort()).toEqual([
      expect.stringMatching(/^ComfyuiEvents/),
      expect.stringMatching(/^ComfyuiSocket/),
    ]);
  });

  it("lets $connect read what taking an owner's place reads: the owner index and a holder's row", () => {
    const policies = Object.values(byLogicalId('AWS::IAM::Policy'));
    const socket = policies.find((p) => /^ComfyuiSocket/.test(p.Properties.PolicyName));
    const statements = socket.Properties.PolicyDocument.Statement as any[];
    const actions = statements.flatMap((s) => [s.Action].flat());
    expect(actions).toEqual(
      expect.arrayContaining([
        'dynamodb:PutItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:Query',
      ]),
    );
    const query = statements.find((s) => [s.Action].flat().includes('dynamodb:Query'));
    expect(JSON.stringify(query.Resource)).toContain('/index/owner-index');
  });
});
