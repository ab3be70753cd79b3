/** How many creates of one owner may hold their caller at once (`wait`). */
export interface WaitSlots {
  /** A slot and the function that gives it back, or undefined when the owner has none left. */
  take(owner: string): Promise<(() => Promise<void>) | undefined>;
}
