/** The candidate closest to `word` (edit distance, case-insensitive), if it is plausibly a typo of it. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  // A fragment of a longer name ("aks" for "aks-like") is a better hint than the nearest short name.
  const containing = w.length >= 3 ? candidates.filter((c) => c.toLowerCase().includes(w)).sort((a, b) => a.length - b.length)[0] : undefined;
  if (containing) return containing;
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(w, candidate.toLowerCase());
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(word.length / 3)) ? best.candidate : undefined;
}

/** "did you mean `x`?" or a list of what is allowed. */
export function suggestion(word: string, candidates: readonly string[], noun = 'field'): string {
  const near = closest(word, candidates);
  const list = candidates.map((c) => `\`${c}\``).join(', ');
  return near ? `did you mean \`${near}\`? (known ${noun}s: ${list})` : `known ${noun}s: ${list}`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
