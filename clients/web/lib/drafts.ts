/**
 * @module Form drafts that survive a failed request and a reload: saved to localStorage as the user types, cleared
 * only once the server has accepted the form. Only justification drafts are kept here — never message text,
 * which stays in memory so no plaintext lingers in the browser profile.
 */
export interface DraftStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function draftStore<T extends object>(storage: DraftStorage, key: string, initial: T) {
  const fullKey = `exigent.draft.${key}`;
  return {
    load(): T {
      const text = storage.getItem(fullKey);
      if (!text) return { ...initial };
      try {
        return { ...initial, ...(JSON.parse(text) as Partial<T>) };
      } catch {
        return { ...initial };
      }
    },
    save(value: T) {
      storage.setItem(fullKey, JSON.stringify(value));
    },
    clear() {
      storage.removeItem(fullKey);
    },
  };
}
