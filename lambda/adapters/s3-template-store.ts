import { createHash } from 'node:crypto';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import {
  TEMPLATE_NAME_PATTERN,
  type Template,
  type TemplatePage,
  type TemplateStore,
  type TemplateVersion,
} from '../domain/templates/template';
import { UnsafeObjectKeyError } from './s3-uri';

export const TEMPLATES_PREFIX = 'templates/';

const named = (error: unknown, ...names: string[]) => names.includes((error as Error).name);

/**
 * Templates on the payload bucket, `templates/{owner digest}/{name}.json`: one prefix per API
 * key, so a key lists and reads only its own. S3 rather than a table: a UI workflow may exceed a
 * DynamoDB item's 400 KB, and a run reads one object. Creates are If-None-Match and updates
 * If-Match, so concurrent writers never overwrite each other unseen.
 */
export class S3TemplateStore implements TemplateStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  private prefix(owner: string): string {
    return `${TEMPLATES_PREFIX}${createHash('sha256').update(owner).digest('hex').slice(0, 32)}/`;
  }

  private key(owner: string, name: string): string {
    if (!TEMPLATE_NAME_PATTERN.test(name))
      throw new UnsafeObjectKeyError(`refusing the template name '${name}'`);
    return `${this.prefix(owner)}${name}.json`;
  }

  async get(owner: string, name: string): Promise<TemplateVersion | undefined> {
    if (!TEMPLATE_NAME_PATTERN.test(name)) return undefined;
    try {
      const answer = await this.s3.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.key(owner, name) }),
      );
      const template = JSON.parse(await answer.Body!.transformToString('utf8')) as Template;
      return { template, version: answer.ETag ?? '' };
    } catch (error) {
      // Without s3:ListBucket on the key, S3 answers a missing one with 403.
      if (named(error, 'NoSuchKey', 'NotFound', 'AccessDenied')) return undefined;
      throw error;
    }
  }

  private async put(
    owner: string,
    template: Template,
    condition: { IfNoneMatch: '*' } | { IfMatch: string },
  ) {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.key(owner, template.name),
          Body: JSON.stringify(template),
          ContentType: 'application/json',
          ...condition,
        }),
      );
      return true;
    } catch (error) {
      // 412: the condition failed; 409: a write of the same key raced this one; 404: If-Match, no key.
      if (named(error, 'PreconditionFailed', 'ConditionalRequestConflict', 'NoSuchKey')) return false;
      throw error;
    }
  }

  create(owner: string, template: Template): Promise<boolean> {
    return this.put(owner, template, { IfNoneMatch: '*' });
  }

  replace(owner: string, template: Template, version: string): Promise<boolean> {
    return this.put(owner, template, { IfMatch: version });
  }

  async list(owner: string, page: { limit: number; after?: string }): Promise<TemplatePage> {
    const prefix = this.prefix(owner);
    // One listing of up to 1,000 keys, cut to the page here: s3rver fails on a truncated MaxKeys
    // listing (its DES continuation tokens), and S3 answers the same either way.
    const listed = await this.s3.send(
      new ListObjectsV2Command({
        Bucket: this.bucket,
        Prefix: prefix,
        ...(page.after ? { StartAfter: this.key(owner, page.after) } : {}),
      }),
    );
    const all = (listed.Contents ?? [])
      .map((object) => object.Key?.slice(prefix.length).replace(/\.json$/, '') ?? '')
      .filter((name) => TEMPLATE_NAME_PATTERN.test(name));
    const names = all.slice(0, page.limit);
    const more = all.length > page.limit || listed.IsTruncated === true;
    // A page is at most 100 names: read at once (the SDK's socket pool queues what it must).
    const read = await Promise.all(names.map((name) => this.get(owner, name)));
    const templates = read
      .filter((found): found is TemplateVersion => found !== undefined)
      .map((found) => found.template);
    return { templates, cursor: more && names.length > 0 ? names[names.length - 1]! : null };
  }

  async remove(owner: string, name: string): Promise<void> {
    if (!TEMPLATE_NAME_PATTERN.test(name)) return;
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(owner, name) }));
  }
}
