import { RequestValidationError } from '../errors';
import { bareContentType, isAcceptedContentType } from './media-kinds';

/** Where a file the execute needs comes from, as the container will fetch it. */
export type InputSource =
  | { type: 'data'; bytes: Buffer; contentType?: string }
  | { type: 'url'; url: string }
  | { type: 's3'; uri: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

function decodeBase64(text: string): Buffer | undefined {
  const compact = text.replace(/\s+/g, '');
  if (compact === '') return undefined;
  if (BASE64.test(compact) && compact.length % 4 === 0) return Buffer.from(compact, 'base64');
  if (BASE64URL.test(compact) && compact.length % 4 !== 1) return Buffer.from(compact, 'base64url');
  return undefined;
}

/** An S3 bucket name, then a non-empty key. */
const S3_OBJECT_URI = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/.+$/;

/**
 * One inline input's source: a `data:` URL (base64 only), a bare base64 string, an `https://`
 * URL or an `s3://` URI. Anything else is refused naming the file and the form it should take.
 * `allowHttp`: the local stack's loopback test servers speak plain http.
 */
export function parseInputSource(
  filename: string,
  value: string,
  options: { allowHttp?: boolean } = {},
): InputSource {
  const refuse = (why: string) => new RequestValidationError(`inputs['${filename}']: ${why}`);
  if (value.startsWith('data:')) {
    const comma = value.indexOf(',');
    const header = comma < 0 ? value.slice(5) : value.slice(5, comma);
    const parameters = header.split(';');
    if (comma < 0 || parameters.at(-1) !== 'base64')
      throw refuse('a data URL must be base64-encoded: data:<content type>;base64,<data>');
    const contentType = parameters[0] ? bareContentType(parameters[0]) : undefined;
    if (contentType && !isAcceptedContentType(contentType))
      throw refuse(`content type '${contentType}' is not an image, audio, video or 3D type ComfyUI loads`);
    const bytes = decodeBase64(value.slice(comma + 1));
    if (!bytes) throw refuse('the data URL holds no valid base64 data');
    return { type: 'data', bytes, ...(contentType ? { contentType } : {}) };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
    if (value.startsWith('s3://')) {
      if (!S3_OBJECT_URI.test(value)) throw refuse(`'${value}' is not an s3://bucket/key URI`);
      return { type: 's3', uri: value };
    }
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw refuse(`'${value}' is not a valid URL`);
    }
    if (url.protocol !== 'https:' && !(options.allowHttp && url.protocol === 'http:'))
      throw refuse(`only https:// URLs are fetched (got ${url.protocol}//)`);
    if (url.username || url.password) throw refuse('URLs with credentials are not accepted');
    return { type: 'url', url: url.toString() };
  }
  const bytes = decodeBase64(value);
  if (!bytes) throw refuse('must be a data: URL, base64 data, an https:// URL or an s3:// URI of a file');
  return { type: 'data', bytes };
}
