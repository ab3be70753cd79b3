/** The smallest part S3 accepts in a multipart upload, except the last. */
const MIN_PART_BYTES = 5 * 1024 ** 2;

interface OpenUpload {
  bucket: string;
  key: string;
  parts: Map<number, { etag: string; size: number }>;
}

export interface S3Refusal {
  status: number;
  code: string;
  message: string;
}

const unquote = (etag: string) => etag.replace(/"/g, '');

/**
 * What S3 checks when a multipart upload completes and s3rver does not: the upload exists, every
 * listed part was uploaded with that ETag, parts are in ascending order, and every part but the
 * last is at least 5 MiB. The local S3 front records uploads and parts as they pass through it.
 */
export class MultipartLedger {
  private readonly uploads = new Map<string, OpenUpload>();

  opened(uploadId: string, bucket: string, key: string) {
    this.uploads.set(uploadId, { bucket, key, parts: new Map() });
  }

  knows(uploadId: string): boolean {
    return this.uploads.has(uploadId);
  }

  partStored(uploadId: string, partNumber: number, etag: string, size: number) {
    this.uploads.get(uploadId)?.parts.set(partNumber, { etag: unquote(etag), size });
  }

  closed(uploadId: string) {
    this.uploads.delete(uploadId);
  }

  /** S3's ListMultipartUploads answer for a bucket and key prefix (s3rver has none): one page. */
  listUploads(bucket: string, prefix: string): string {
    const xmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    const uploads = [...this.uploads.entries()]
      .filter(([, upload]) => upload.bucket === bucket && upload.key.startsWith(prefix))
      .sort(([, a], [, b]) => a.key.localeCompare(b.key))
      .map(
        ([id, upload]) =>
          `<Upload><Key>${xmlText(upload.key)}</Key><UploadId>${xmlText(id)}</UploadId></Upload>`,
      )
      .join('');
    return (
      '<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      `<Bucket>${xmlText(bucket)}</Bucket><Prefix>${xmlText(prefix)}</Prefix><MaxUploads>1000</MaxUploads><IsTruncated>false</IsTruncated>${uploads}</ListMultipartUploadsResult>`
    );
  }

  /**
   * S3's ListParts answer (one page of up to 1,000 parts after `marker`), which s3rver lacks, or
   * NoSuchUpload.
   */
  listParts(uploadId: string, marker: number): { status: number; xml: string } | S3Refusal {
    const upload = this.uploads.get(uploadId);
    if (!upload)
      return { status: 404, code: 'NoSuchUpload', message: 'The specified upload does not exist.' };
    const numbers = [...upload.parts.keys()].filter((n) => n > marker).sort((a, b) => a - b);
    const page = numbers.slice(0, 1000);
    const xmlText = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
    const parts = page
      .map((n) => {
        const part = upload.parts.get(n)!;
        return `<Part><PartNumber>${n}</PartNumber><ETag>&quot;${part.etag}&quot;</ETag><Size>${part.size}</Size></Part>`;
      })
      .join('');
    const truncated = numbers.length > page.length;
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?><ListPartsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      `<Bucket>${xmlText(upload.bucket)}</Bucket><Key>${xmlText(upload.key)}</Key><UploadId>${xmlText(uploadId)}</UploadId>` +
      `<PartNumberMarker>${marker}</PartNumberMarker><NextPartNumberMarker>${page.at(-1) ?? marker}</NextPartNumberMarker>` +
      `<MaxParts>1000</MaxParts><IsTruncated>${truncated}</IsTruncated>${parts}</ListPartsResult>`;
    return { status: 200, xml };
  }

  /** Why S3 would refuse to complete the upload with this CompleteMultipartUpload body, or undefined. */
  completionProblem(uploadId: string, body: string): S3Refusal | undefined {
    const upload = this.uploads.get(uploadId);
    if (!upload)
      return { status: 404, code: 'NoSuchUpload', message: 'The specified upload does not exist.' };
    const listed = [...body.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((match) => ({
      number: Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(match[1]!)?.[1]),
      etag: unquote(/<ETag>([^<]*)<\/ETag>/.exec(match[1]!)?.[1] ?? ''),
    }));
    if (listed.length === 0)
      return { status: 400, code: 'MalformedXML', message: 'The XML you provided was not well-formed.' };
    if (listed.some((part, index) => index > 0 && part.number <= listed[index - 1]!.number))
      return {
        status: 400,
        code: 'InvalidPartOrder',
        message: 'The list of parts was not in ascending order.',
      };
    for (const [index, part] of listed.entries()) {
      const stored = upload.parts.get(part.number);
      if (!stored || stored.etag !== part.etag.replace(/&quot;/g, ''))
        return {
          status: 400,
          code: 'InvalidPart',
          message: `One or more of the specified parts could not be found (part ${part.number}).`,
        };
      if (index > 0 && part.number <= listed[index - 1]!.number)
        return {
          status: 400,
          code: 'InvalidPartOrder',
          message: 'The list of parts was not in ascending order.',
        };
      if (index < listed.length - 1 && stored.size < MIN_PART_BYTES)
        return {
          status: 400,
          code: 'EntityTooSmall',
          message: `Your proposed upload is smaller than the minimum allowed size (part ${part.number}).`,
        };
    }
    return undefined;
  }
}
