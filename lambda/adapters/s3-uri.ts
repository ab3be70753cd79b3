/** `s3://bucket/key` ⇄ {bucket, key}. */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match) throw new Error(`not an s3:// object URI: ${uri}`);
  return { bucket: match[1]!, key: match[2]! };
}

export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** Every object of one execute lives under this prefix (request, outputs, temp files). */
export function executePrefix(promptId: string): string {
  return `executes/${promptId}/`;
}
