import {
  ApiError,
  type ComfyExecClient,
  type InputSchema,
  type Template,
  TemplateInputError,
} from '@comfy-exec/client';
import { useEffect, useState } from 'preact/hooks';
import { go } from './route';
import { TemplateFieldControl } from './template-field';
import { apiMessage, fieldProblem, templateFields } from './template-fields';
import { TemplateRuns } from './template-runs';
import { fullTime } from './times';

/** A refusal's parameter, when the API named it (`data.parameter` of a 400). */
const refusedParameter = (error: ApiError) =>
  (error.body as { data?: { parameter?: unknown } } | undefined)?.data?.parameter;

/**
 * One template: where it runs, and a form built from its parameters' JSON Schema, each field
 * filled with its default and checked as it changes. Run sends only what was changed (the rest
 * keeps the template's values) and lands on the new execute, as the Run page does.
 */
export function TemplatePage(props: {
  client: ComfyExecClient;
  name: string;
  onError(error: unknown): void;
}) {
  const { client, name, onError } = props;
  const [template, setTemplate] = useState<Template>();
  const [changed, setChanged] = useState<Record<string, unknown>>({});
  const [uploading, setUploading] = useState<Record<string, boolean>>({});
  const [refusals, setRefusals] = useState<string[]>([]);
  const [serverProblem, setServerProblem] = useState<{ parameter: string; message: string }>();
  const [busy, setBusy] = useState(false);
  const [missing, setMissing] = useState<string>();
  useEffect(() => {
    setTemplate(undefined);
    setMissing(undefined);
    setChanged({});
    setRefusals([]);
    setServerProblem(undefined);
    // Another template opened meanwhile: this answer is no longer the page's.
    let live = true;
    client.templates.get(name).then(
      (found) => live && setTemplate(found),
      // A link to a template deleted since (or another key's): said here, not as the page's failure.
      (error: unknown) =>
        live && error instanceof ApiError && error.status === 404
          ? setMissing(apiMessage(error))
          : onError(error),
    );
    return () => {
      live = false;
    };
  }, [name]);
  if (missing)
    return (
      <main>
        <h1>Template {name}</h1>
        <p role="alert" class="error">
          {missing}
        </p>
        <p>
          <a href="#/templates">All templates</a>
        </p>
      </main>
    );
  if (!template) return <main aria-busy="true">Loading…</main>;

  const schema = template.input_schema as unknown as InputSchema | null;
  const fields = schema ? templateFields(schema) : [];
  const shownFor = (parameter: string, fallback: unknown) =>
    Object.hasOwn(changed, parameter) ? changed[parameter] : fallback;
  const problemOf = (parameter: string) => {
    if (serverProblem?.parameter === parameter) return serverProblem.message;
    const field = fields.find((candidate) => candidate.name === parameter);
    return field && Object.hasOwn(changed, parameter) ? fieldProblem(field, changed[parameter]) : undefined;
  };
  const change = (parameter: string, value: unknown) => {
    // Back to the template's own value: left out, so the run's record lists only what differs.
    const fallback = schema?.properties[parameter]?.default;
    setChanged(({ [parameter]: _, ...others }) =>
      value === fallback ? others : { ...others, [parameter]: value },
    );
    setRefusals([]);
    if (serverProblem?.parameter === parameter) setServerProblem(undefined);
  };
  const run = async () => {
    setRefusals([]);
    setServerProblem(undefined);
    try {
      const execute = await client.templates.run(name, changed);
      go(`#/executes/${execute.prompt_id}`);
    } catch (error) {
      // What the library found before sending, or what the API refused (400, naming the parameter).
      if (error instanceof TemplateInputError) setRefusals(error.problems);
      else if (error instanceof ApiError && error.status === 400) {
        setRefusals([apiMessage(error)]);
        const parameter = refusedParameter(error);
        if (typeof parameter === 'string') setServerProblem({ parameter, message: apiMessage(error) });
      } else onError(error);
    }
  };
  const waiting = Object.values(uploading).some(Boolean);
  return (
    <main>
      <h1>
        Template <code>{template.name}</code>
      </h1>
      <dl class="facts" aria-label="template">
        <dt>Endpoint</dt>
        <dd data-fact="endpoint">{template.endpoint_name || 'not deployed any more'}</dd>
        <dt>Updated</dt>
        <dd data-fact="updated">{fullTime(template.update_time)}</dd>
        <dt>Parameters</dt>
        <dd data-fact="parameters">
          {fields.length} ({template.declared_inputs ? 'declared' : 'derived from the workflow'})
        </dd>
      </dl>
      {template.problem && (
        <p role="alert" class="error">
          {template.problem}
        </p>
      )}
      {schema && (
        <form
          class="template-form"
          // The checks are the schema's, said beside each field: the browser's own would block Run silently.
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            setBusy(true);
            void run().finally(() => setBusy(false));
          }}
        >
          <fieldset class="inputs">
            <legend>Parameters</legend>
            {fields.length === 0 && <p class="hint">This template takes no parameters: it runs as saved.</p>}
            {fields.map((field) => (
              <TemplateFieldControl
                key={field.name}
                client={client}
                field={field}
                value={shownFor(field.name, field.schema.default)}
                problem={problemOf(field.name)}
                onChange={(value) => change(field.name, value)}
                onUploading={(now) => setUploading((all) => ({ ...all, [field.name]: now }))}
                onError={onError}
              />
            ))}
          </fieldset>
          <nav class="actions">
            <button type="submit" disabled={busy || waiting}>
              Run
            </button>
            {waiting && <span aria-busy="true">Uploading…</span>}
          </nav>
        </form>
      )}
      {refusals.length > 0 && (
        <div role="alert" class="error" data-testid="refusals">
          {refusals.map((text) => (
            <p>{text}</p>
          ))}
        </div>
      )}
      <TemplateRuns client={client} name={template.name} onError={onError} />
    </main>
  );
}
