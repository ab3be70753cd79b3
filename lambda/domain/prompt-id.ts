/** A canonical lowercase hyphenated UUID: the only prompt ids we mint, accept or look up. */
export const PROMPT_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function isPromptId(value: string): boolean {
  return PROMPT_ID_PATTERN.test(value);
}
