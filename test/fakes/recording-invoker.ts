import type { AcceptedInvocation, AsyncInvocation, AsyncInvoker } from '../../lambda/domain/ports';

/** AsyncInvoker that records every call and answers as told. */
export class RecordingInvoker implements AsyncInvoker {
  readonly calls: AsyncInvocation[] = [];
  failWith?: Error;

  async invoke(invocation: AsyncInvocation): Promise<AcceptedInvocation> {
    this.calls.push(invocation);
    if (this.failWith) throw this.failWith;
    return {
      inferenceId: invocation.inferenceId,
      outputLocation: `s3://bucket/async-out/${invocation.inferenceId}.out`,
      failureLocation: `s3://bucket/async-failures/${invocation.inferenceId}-error.out`,
    };
  }
}
