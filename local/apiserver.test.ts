import { describe, expect, it } from 'vitest';
import { csvJoin } from './apiserver.ts';

describe('--api-audiences', () => {
  it('is one CSV record: plain values as they are, quotes doubled inside quotes (AKS’s quoted FQDN audience)', () => {
    expect(csvJoin(['https://a', 'https://b'])).toBe('https://a,https://b');
    expect(csvJoin(['https://a', '"fqdn.example"'])).toBe('https://a,"""fqdn.example"""');
  });
});
