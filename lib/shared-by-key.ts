/**
 * One promise per key for callers that ask at the same time or later in the same process: two environments of
 * one run starting at once share one build instead of racing on its work directory. A rejected promise is
 * forgotten, so the next caller tries again.
 */
export function sharedByKey<A, T>(keyOf: (arg: A) => string, make: (arg: A) => Promise<T>): (arg: A) => Promise<T> {
  const entries = new Map<string, Promise<T>>();
  return (arg) => {
    const key = keyOf(arg);
    let hit = entries.get(key);
    if (!hit) {
      hit = make(arg);
      entries.set(key, hit);
      hit.catch(() => entries.delete(key));
    }
    return hit;
  };
}
