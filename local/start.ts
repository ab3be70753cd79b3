/**
 * `npm start`: the whole system on one machine. The local stack (DynamoDB Local, s3rver, the
 * async-endpoint emulator, the endpoint container with the ComfyUI simulator, and the API
 * gateway emulator in front of the same Lambda handlers) is not assembled yet: this says what
 * it will run and exits non-zero so that nobody mistakes it for a working stack.
 */
const plan = [
  'DynamoDB Local (in memory) with the executes table from lambda/adapters/execute-table.ts',
  's3rver for the requests-and-outputs bucket',
  'the SageMaker async-endpoint emulator (InvokeEndpointAsync wire protocol, SNS-shaped notifications)',
  'the endpoint container adapter in front of ComfyUI (COMFYUI_URL) or the ComfyUI simulator',
  'the API gateway emulator at http://127.0.0.1:3000/prod/ in front of the Lambda handlers',
];
console.error('comfy-exec local stack: not available yet. When it is, `npm start` will run:');
for (const part of plan) console.error(`  - ${part}`);
console.error('Meanwhile `npm test` runs the handlers against DynamoDB Local and s3rver.');
process.exit(1);
