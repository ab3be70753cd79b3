import type { Execute } from '@comfy-exec/client';
import { type Catalog, orderedInputNames } from './catalog';
import { exactJson } from './exact-numbers';

type Node = { class_type: string; inputs?: Record<string, unknown>; _meta?: { title?: string } };

/** The problems the record names per node: ComfyUI's node_errors, or the node an execution error came from. */
export function nodeProblems(execute: Pick<Execute, 'error'>): Map<string, string[]> {
  const problems = new Map<string, string[]>();
  const error = (execute.error ?? {}) as Record<string, unknown>;
  const add = (node: string, text: string) => problems.set(node, [...(problems.get(node) ?? []), text]);
  const nodeErrors = (error.node_errors ?? {}) as Record<
    string,
    { errors?: { message?: string; details?: string }[] }
  >;
  for (const [node, entry] of Object.entries(nodeErrors))
    for (const item of entry.errors ?? []) add(node, [item.message, item.details].filter(Boolean).join(': '));
  if (typeof error.node_id === 'string')
    add(error.node_id, String(error.exception_message ?? error.message ?? 'this node failed'));
  return problems;
}

const isLink = (value: unknown): value is [string, number] =>
  Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'number';

/**
 * The prompt as a list a person can read: each node's class, title, values (in ComfyUI's input
 * order when the catalog is known), and links to other nodes.
 */
export function PromptNodes(props: {
  prompt: Record<string, Node>;
  problems: Map<string, string[]>;
  catalog?: Catalog | null | undefined;
}) {
  return (
    <ol class="nodes">
      {Object.entries(props.prompt).map(([id, node]) => {
        const problems = props.problems.get(id);
        const inputs = node.inputs ?? {};
        const names = orderedInputNames(props.catalog, node.class_type, Object.keys(inputs));
        return (
          <li
            id={`node-${id}`}
            class={problems ? 'node failed' : 'node'}
            aria-invalid={problems ? 'true' : undefined}
          >
            <h3>
              #{id} {node._meta?.title ?? node.class_type}
              {node._meta?.title && node._meta.title !== node.class_type && <small> {node.class_type}</small>}
            </h3>
            {problems?.map((text) => (
              <p class="error" role="alert">
                {text}
              </p>
            ))}
            <dl>
              {names
                .map((name) => [name, inputs[name]] as const)
                .map(([name, value]) => (
                  <>
                    <dt>{name}</dt>
                    <dd>
                      {isLink(value) ? (
                        <a
                          href={`#node-${value[0]}`}
                          onClick={(e) => {
                            e.preventDefault();
                            document.getElementById(`node-${value[0]}`)?.scrollIntoView();
                          }}
                        >
                          → #{value[0]} output {value[1]}
                        </a>
                      ) : (
                        exactJson(value)
                      )}
                    </dd>
                  </>
                ))}
            </dl>
          </li>
        );
      })}
    </ol>
  );
}
