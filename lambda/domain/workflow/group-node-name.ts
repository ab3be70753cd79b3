/** The group node definition a node type names (`workflow/<name>` or `workflow>name`), if any. */
export const groupName = (type: string): string | undefined =>
  type.startsWith('workflow/')
    ? type.slice('workflow/'.length)
    : type.startsWith('workflow>')
      ? type.slice('workflow>'.length)
      : undefined;
