import type { Template, TemplateStore } from '../../lambda/domain/templates/template';

/** TemplateStore in memory, with the S3 store's conditional writes (a version per write). */
export class InMemoryTemplateStore implements TemplateStore {
  readonly stored = new Map<string, { template: Template; version: string }>();
  private writes = 0;
  /** Called before a replace lands: a test makes another writer win the race here. */
  beforeReplace?: () => void;

  private key = (owner: string, name: string) => `${owner}\u0000${name}`;

  async get(owner: string, name: string) {
    const found = this.stored.get(this.key(owner, name));
    return found ? { template: structuredClone(found.template), version: found.version } : undefined;
  }

  put(owner: string, template: Template) {
    this.stored.set(this.key(owner, template.name), {
      template: structuredClone(template),
      version: `v${++this.writes}`,
    });
  }

  async create(owner: string, template: Template) {
    if (this.stored.has(this.key(owner, template.name))) return false;
    this.put(owner, template);
    return true;
  }

  async replace(owner: string, template: Template, version: string) {
    this.beforeReplace?.();
    if (this.stored.get(this.key(owner, template.name))?.version !== version) return false;
    this.put(owner, template);
    return true;
  }

  async list(owner: string, page: { limit: number; after?: string }) {
    const names = [...this.stored.keys()]
      .filter((key) => key.startsWith(`${owner}\u0000`))
      .map((key) => key.slice(owner.length + 1))
      .sort()
      .filter((name) => !page.after || name > page.after);
    const shown = names.slice(0, page.limit);
    return {
      templates: shown.map((name) => structuredClone(this.stored.get(this.key(owner, name))!.template)),
      cursor: names.length > page.limit ? shown.at(-1)! : null,
    };
  }

  async remove(owner: string, name: string) {
    this.stored.delete(this.key(owner, name));
  }
}
