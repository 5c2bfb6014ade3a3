/**
 * What a run made, each with the step that undoes it, undone newest first: every environment and every scenario
 * registers what it creates here (Chainsaw's cleaner, testcontainers' stop in reverse start order).
 */
interface Entry {
  key: string;
  undo: () => Promise<unknown>;
}

export class Cleaner {
  private entries: Entry[] = [];

  /** Records an undo step; a key already recorded keeps its first (earliest) place. */
  add(key: string, undo: () => Promise<unknown>): void {
    if (!this.entries.some((e) => e.key === key)) this.entries.push({ key, undo });
  }

  forget(key: string): void {
    this.entries = this.entries.filter((e) => e.key !== key);
  }

  get keys(): string[] {
    return this.entries.map((e) => e.key);
  }

  /** Runs `make`; when it throws, undoes what was registered so far (nothing half-made is left) and rethrows. */
  async orUnwind<T>(make: () => Promise<T>): Promise<T> {
    try {
      return await make();
    } catch (err) {
      await this.unwind();
      throw err;
    }
  }

  /** Undoes every step, newest first; failures are collected, not thrown, so the rest is still undone. */
  async unwind(): Promise<string[]> {
    const failures: string[] = [];
    for (const e of [...this.entries].reverse()) {
      await e.undo().catch((err: Error) => failures.push(`${e.key}: ${err.message}`));
      this.forget(e.key);
    }
    return failures;
  }
}
