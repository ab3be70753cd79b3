import type { ModelLibrary, StoredModel } from '../domain/ports';

/**
 * The library as CreateExecute sees it: a model found is believed for `maxAgeMs` (60 s) per
 * Lambda container; a model not found is asked again every time, so an upload is usable at once.
 */
export class CachedModelLookup implements Pick<ModelLibrary, 'find'> {
  private readonly seen = new Map<string, { model: StoredModel; at: number }>();

  constructor(
    private readonly library: Pick<ModelLibrary, 'find'>,
    private readonly maxAgeMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  async find(folder: string, name: string): Promise<StoredModel | undefined> {
    const key = `${folder}/${name}`;
    const cached = this.seen.get(key);
    if (cached && this.now() - cached.at < this.maxAgeMs) return cached.model;
    const model = await this.library.find(folder, name);
    if (model) this.seen.set(key, { model, at: this.now() });
    else this.seen.delete(key);
    return model;
  }
}
