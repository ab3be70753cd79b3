import { type Check, CheckFailed } from './runner';
import type { DoctorState } from './state';

/** A 1×1 PNG (68 bytes): small enough to upload on any link, real enough for LoadImage. */
const TINY_PNG = Uint8Array.from(
  atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII='),
  (c) => c.charCodeAt(0),
);

const sameBytes = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((byte, i) => byte === b[i]);

/**
 * Where the stored input can be read: ComfyUI's GET /view (type=input) answers a redirect to a
 * pre-signed URL of the caller's own file. Redirects are not followed, so the key goes only to the API.
 */
async function storedObjectUrl(state: DoctorState, name: string): Promise<string> {
  const view = new URL('comfyui/view', state.apiUrl.endsWith('/') ? state.apiUrl : `${state.apiUrl}/`);
  view.search = new URLSearchParams({ filename: name, subfolder: '', type: 'input' }).toString();
  const response = await fetch(view, {
    headers: { 'x-api-key': state.apiKey },
    redirect: 'manual',
    signal: AbortSignal.timeout(15_000),
  });
  const location = response.headers.get('location');
  if (response.status !== 302 || !location)
    throw new CheckFailed(
      `GET /comfyui/view of the uploaded input answered HTTP ${response.status}, not a redirect to it`,
      'the input was not found where the API looks (the inputs/ prefix of the payload bucket): see the comfyui-api function',
    );
  return location;
}

/**
 * (5) CreateInput with a presigned PUT, the upload, the stored object read back through the API's
 * download redirect, and DeleteInput: the payload bucket, its presigned URLs and the inputs routes work.
 */
export function inputsCheck(state: DoctorState): Check {
  return {
    name: 'inputs',
    title: 'inputs upload round trip',
    needs: ['api'],
    async run() {
      let name: string;
      try {
        name = (
          await state.client.uploadInput(TINY_PNG, {
            filename: 'comfy-exec-doctor.png',
            contentType: 'image/png',
          })
        ).name;
      } catch (error) {
        if (error instanceof Error && /S3 answered HTTP/.test(error.message))
          throw new CheckFailed(
            `the presigned PUT was refused: ${error.message}`,
            "the create-input function's role must be allowed s3:PutObject on inputs/*, and the URL used before it expires",
          );
        throw error;
      }
      // Interrupted from here on (Ctrl-C), the doctor's cleanup deletes it instead.
      let deleted = false;
      state.cleanup ??= [];
      state.cleanup.push(async () => {
        if (!deleted) await state.client.deleteInput(name).catch(() => undefined);
      });
      let problem: unknown;
      try {
        const back = await state.client.download(await storedObjectUrl(state, name));
        if (!sameBytes(back, TINY_PNG))
          throw new CheckFailed(
            `read back ${back.length} bytes, not the ${TINY_PNG.length} uploaded`,
            'something between the API and S3 changes uploads: check the bucket for transforms or object lambdas',
          );
      } catch (error) {
        problem = error;
      }
      // Deleted either way: the doctor leaves nothing behind; the first problem is the one told.
      try {
        await state.client.deleteInput(name);
        deleted = true;
      } catch (error) {
        problem ??= new CheckFailed(
          `uploaded and read back ${name}, but could not delete it: ${(error as Error).message}`,
          'see the delete-input function',
        );
      }
      if (problem) throw problem;
      return `uploaded ${TINY_PNG.length} bytes as ${name}, read the same bytes back (GET /comfyui/view), deleted it`;
    },
  };
}
