import { WorkflowConversionError } from './conversion-error';

/**
 * How big a UI workflow may grow when its subgraphs and group nodes are expanded. A few KB of
 * instances of a large definition expand to hundreds of thousands of nodes, so both expansions
 * measure first, from the definitions alone, and refuse before they build anything.
 */

/** Subgraph definitions one workflow may carry (real ones carry a handful). */
export const MAX_SUBGRAPH_DEFINITIONS = 500;
/** Links the expanded workflow may have, per node MAX_PROMPT_NODES allows (real ones have 1–3). */
export const LINKS_PER_NODE = 8;

export interface ExpansionLimits {
  /** MAX_PROMPT_NODES: nodes the expanded workflow may have, nested instances included. */
  maxNodes: number;
}

export function checkExpandedSize(
  what: string,
  nodes: number,
  links: number,
  { maxNodes }: ExpansionLimits,
): void {
  if (nodes > maxNodes)
    throw new WorkflowConversionError(
      `the workflow's ${what} expand to ${nodes} nodes; this deployment accepts at most ${maxNodes} (MAX_PROMPT_NODES)`,
    );
  const maxLinks = LINKS_PER_NODE * maxNodes;
  if (links > maxLinks)
    throw new WorkflowConversionError(
      `the workflow's ${what} expand to ${links} links; this deployment accepts at most ${maxLinks} (${LINKS_PER_NODE} per node of MAX_PROMPT_NODES)`,
    );
}
