import { describe, expect, it } from 'vitest';
import { denialLine, parseDenialLine } from '../../../local/iam-emulation/denial-lines';
import { endpointRolePrincipal } from '../../../local/iam-emulation/endpoint-role-principal';
import { checkCall } from '../../../local/iam-emulation/principal-check';
import { refusalOf } from './refusal-of';

const SCOPE = { region: 'us-east-1', account: '123456789012', socketApiId: 'localsocketapi' };
const role = endpointRolePrincipal(
  { ENDPOINT_NAME: 'comfy-async-local', BUCKET_NAME: 'payloads', TABLE_NAME: 'executes' },
  SCOPE,
);
const s3 = (commandName: string, Key: string) => ({
  clientName: 'S3Client',
  commandName,
  input: { Bucket: 'payloads', Key },
});

/** The refusal the container would get, or undefined when its role allows the call. */
const refusal = (call: Parameters<typeof checkCall>[1]) => refusalOf(() => checkCall(role, call, SCOPE));

describe("the endpoint container's calls held to the execution role", () => {
  it('allows what a run does: the record, inputs and models read, outputs and its own catalog written', () => {
    expect(
      refusal({
        clientName: 'DynamoDBClient',
        commandName: 'UpdateItemCommand',
        input: { TableName: 'executes' },
      }),
    ).toBeUndefined();
    expect(refusal(s3('GetObjectCommand', 'inputs/key-a/cat.png'))).toBeUndefined();
    expect(refusal(s3('GetObjectCommand', 'models/checkpoints/m.safetensors'))).toBeUndefined();
    expect(refusal(s3('PutObjectCommand', 'executes/p/outputs/9/a.png'))).toBeUndefined();
    expect(refusal(s3('PutObjectCommand', 'endpoints/comfy-async-local/object_info.json'))).toBeUndefined();
  });

  it("refuses another endpoint's catalog and the model library's writes, naming the role", () => {
    const other = refusal(s3('PutObjectCommand', 'endpoints/other/object_info.json'));
    expect(other?.message).toContain(
      'assumed-role/comfy-exec-local-endpoint-role/SageMaker is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::payloads/endpoints/other/object_info.json',
    );
    expect(refusal(s3('DeleteObjectCommand', 'models/checkpoints/m.safetensors'))?.denial.principal).toBe(
      'endpoint-container',
    );
    // A queued execute's staged request is not the instance's to rewrite (the third attack).
    expect(refusal(s3('PutObjectCommand', 'executes/p/request.json'))?.message).toContain(
      'not authorized to perform: s3:PutObject on resource: arn:aws:s3:::payloads/executes/p/request.json',
    );
    expect(refusal(s3('PutObjectCommand', 'executes/p/temp/ComfyUI_temp_abcde_00001_.png'))).toBeUndefined();
  });

  it('travels to the local stack as one output line and back', () => {
    const denial = refusal(s3('PutObjectCommand', 'endpoints/other/x'))!.denial;
    expect(parseDenialLine(denialLine(denial))).toEqual(denial);
    expect(parseDenialLine('{"level":"INFO","message":"endpoint container listening"}')).toBeUndefined();
  });
});
