/**
 * A template: ESD's saved schema `{name, payload, workflow}`, owned by one API key, with the
 * parameters a run by name may set. ESD stores `payload` as JSON text; so does this.
 */
export interface ParameterDeclaration {
  /** `node_id.input` places of the API prompt (a UI workflow's as converted) this value goes to. */
  places: string[];
  description?: string;
  /** Used when a run leaves the parameter out; else the value saved in the prompt stays. */
  default?: unknown;
}

export type ParameterDeclarations = Record<string, ParameterDeclaration>;

/** Which template an execute ran, with the values its caller gave (files by the name they got). */
export interface ExecuteTemplate {
  name: string;
  /** The template's create_time: which saving of the name it ran from. */
  create_time: string;
  inputs: Record<string, unknown>;
}

export interface Template {
  name: string;
  /** The API prompt or UI workflow, as JSON text (ESD's shape). */
  payload: string;
  /** The environment it runs on (endpoint comfy-async-{workflow}); '' for the default endpoint. */
  workflow: string;
  /** The declared parameters; null when they are derived from the prompt. */
  inputs: ParameterDeclarations | null;
  create_time: string;
  update_time: string;
}

/** ESD's names (`^[A-Za-z][A-Za-z0-9_]*$`, 20 characters), widened to hyphens and 64 characters. */
export const TEMPLATE_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/**
 * Parameter names are identifiers, so a typed client can make them fields or arguments; never a
 * name every JavaScript object already answers to (`__proto__` was silently dropped by parsing).
 */
export const PARAMETER_NAME_PATTERN = /^(?!(?:__proto__|constructor|prototype)$)[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** At most this many parameters and places per template: a form, not a second graph. */
export const MAX_PARAMETERS = 64;
export const MAX_PLACES_PER_PARAMETER = 16;

export interface Place {
  node: string;
  input: string;
}

/** Every way to split a place at a dot: an API prompt may name a node `6.1`, which one matches is the prompt's to say. */
export function placeSplits(text: string): Place[] {
  const splits: Place[] = [];
  for (let dot = text.indexOf('.'); dot > 0 && dot < text.length - 1; dot = text.indexOf('.', dot + 1))
    splits.push({ node: text.slice(0, dot), input: text.slice(dot + 1) });
  return splits;
}

/**
 * Which saving of a name an execute ran from: a template deleted and saved again under its name
 * is another template, and its runs are listed apart (`owner_template` holds this).
 */
export const templateGeneration = (name: string, createTime: string) => `${name}#${createTime}`;

export const placeText = (place: Place) => `${place.node}.${place.input}`;

export interface TemplateVersion {
  template: Template;
  /** Opaque: a replace succeeds only while the stored template is still this version. */
  version: string;
}

export interface TemplatePage {
  templates: Template[];
  /** The last name of this page when more follow, else null. */
  cursor: string | null;
}

/** The templates of each owner: writes are conditional, so no create or update is lost. */
export interface TemplateStore {
  get(owner: string, name: string): Promise<TemplateVersion | undefined>;
  /** False when the owner already has a template of this name. */
  create(owner: string, template: Template): Promise<boolean>;
  /** False when the template changed or went since `version` was read. */
  replace(owner: string, template: Template, version: string): Promise<boolean>;
  list(owner: string, page: { limit: number; after?: string }): Promise<TemplatePage>;
  remove(owner: string, name: string): Promise<void>;
}
