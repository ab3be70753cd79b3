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
/**
 * Entries (fields, inputs and widget values) the expanded workflow's nodes may hold together, per
 * node MAX_PROMPT_NODES allows. Every copy of a definition's node copies its fields and inputs and
 * has its widget values read, so this, not the node count, bounds the expansion's work. Real nodes
 * hold 10–45 (the corpus's heaviest workflow averages 45).
 */
export const ENTRIES_PER_NODE = 64;
/**
 * Inputs, or widget values, one node may list, and outputs (`external` entries) one group node
 * definition may give. Real nodes list under 20 (the corpus: 16 inputs, 198 widget values); custom
 * nodes with inputs added on demand reach a few hundred.
 */
export const MAX_NODE_SLOTS = 1000;

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

export function checkExpandedEntries(what: string, entries: number, { maxNodes }: ExpansionLimits): void {
  const maxEntries = ENTRIES_PER_NODE * maxNodes;
  if (entries > maxEntries)
    throw new WorkflowConversionError(
      `the workflow's ${what} expand to ${entries} entries (node fields, inputs and widget values); this deployment accepts at most ${maxEntries} (${ENTRIES_PER_NODE} per node of MAX_PROMPT_NODES)`,
    );
}
