import { WorkflowConversionError } from './conversion-error';
import type { UiWorkflow } from './ui-workflow';

const isLink = (link: unknown) =>
  (Array.isArray(link) && link.length >= 6) ||
  (typeof link === 'object' && link !== null && !Array.isArray(link) && 'id' in link);

/**
 * The workflow with what the editor's loader passes over taken out: LiteGraph skips a link entry
 * that is not a link (`null`, left behind by some older editors and tools, with a console
 * warning), so the conversion does too and says so. A node entry that is not a node has no
 * counterpart the editor could load: it is refused, naming its place.
 */
export function withoutInvalidEntries(workflow: UiWorkflow): { workflow: UiWorkflow; warnings: string[] } {
  workflow.nodes.forEach((node, index) => {
    const entry = node as unknown as Record<string, unknown> | null;
    if (
      typeof entry !== 'object' ||
      entry === null ||
      typeof entry.type !== 'string' ||
      entry.id === undefined
    )
      throw new WorkflowConversionError(`nodes[${index}] is not a node (it needs an "id" and a "type")`);
  });
  const links = Array.isArray(workflow.links) ? workflow.links : [];
  const kept = links.filter(isLink);
  const dropped = links.length - kept.length;
  return {
    workflow: dropped === 0 ? workflow : { ...workflow, links: kept },
    warnings:
      dropped === 0
        ? []
        : [
            `${dropped} entr${dropped === 1 ? 'y' : 'ies'} of the workflow's links ${dropped === 1 ? 'is' : 'are'} not a link (e.g. null) and ${dropped === 1 ? 'was' : 'were'} skipped, as ComfyUI's editor skips them`,
          ],
  };
}
