import { describe, expect, it } from 'vitest';
import { fixtureRun, ISSUER_PERMISSION_DENIED, issuerMismatchFail, OPENBAO_SKIP_REASON, PLANTED_ISSUER_MESSAGE, readyPass } from './fixtures.ts';
import { toJUnit } from './junit.ts';
import { formatSides } from './side-text.ts';
import { findAll, parseXml, XmlError } from './test-support/xml-parse.ts';

describe('toJUnit', () => {
  const run = fixtureRun();
  const root = parseXml(toJUnit(run));
  const cases = findAll(root, 'testcase');
  const byName = (id: string) => cases.find((c) => c.attributes.name === id)!;

  it('is well-formed and counts every scenario', () => {
    expect(root.name).toBe('testsuites');
    expect(root.attributes).toMatchObject({ name: 'cm-vault-e2e', tests: '5', failures: '1', skipped: '1', errors: '0' });
    expect(cases.map((c) => c.attributes.name).sort()).toEqual(run.results.map((r) => r.plan.id).sort());
  });

  it('names each testcase by id, classes it by environment key, and groups suites by environment', () => {
    const ready = readyPass();
    expect(byName(ready.plan.id).attributes).toMatchObject({ classname: ready.plan.environmentKey, time: '8.412', file: 'scenarios/catalogue/core.yaml', line: '13' });
    for (const suite of findAll(root, 'testsuite')) {
      for (const c of findAll(suite, 'testcase')) expect(c.attributes.classname).toBe(suite.attributes.name);
    }
  });

  it('gives the failing scenario the three-sided diff, byte for byte after parsing', () => {
    const failing = issuerMismatchFail();
    const failure = findAll(byName(failing.plan.id), 'failure')[0]!;
    expect(failure.attributes.message).toBe('issuer side differs from the oracle');
    expect(failure.text).toBe(formatSides(failing.verdict));
    expect(failure.text).toContain('✗ Issuer (issuer)\n  expected: Ready=False VaultError: ' + PLANTED_ISSUER_MESSAGE.split('\n')[0]);
    expect(failure.text).toContain('  observed: Ready=False VaultError: ' + ISSUER_PERMISSION_DENIED.split('\n')[0]);
    expect(failure.text).toContain('✓ Vault (vault)\n  expected: HTTP 403: permission denied\n  observed: HTTP 403: permission denied');
    // Continuation lines of a multi-line message sit under the value, not at column 0.
    expect(failure.text).toContain('\n            Code: 403. Errors:');
  });

  it('a scenario that could not run is an <error>, counted in errors, not a skip', () => {
    const broken = { plan: { ...readyPass().plan, id: 'broken-one' }, skipped: 'could not run: admission webhook denied the request\nmore', broken: true };
    const root = parseXml(toJUnit(fixtureRun([readyPass(), broken])));
    const suite = findAll(root, 'testsuite')[0]!;
    expect(suite.attributes).toMatchObject({ tests: '2', failures: '0', errors: '1', skipped: '0' });
    const error = findAll(root, 'error')[0]!;
    expect(error.attributes).toMatchObject({ type: 'CouldNotRun', message: 'could not run: admission webhook denied the request' });
  });

  it('marks passing scenarios without failure and skipped ones with their reason', () => {
    expect(findAll(byName(readyPass().plan.id), 'failure')).toHaveLength(0);
    const skipped = findAll(byName('k8s-client-jwt-api-audience-ready-openbao'), 'skipped')[0]!;
    expect(skipped.attributes.message).toBe(OPENBAO_SKIP_REASON);
  });

  it('records backend and versions as properties of each suite', () => {
    const suite = findAll(root, 'testsuite')[0]!;
    const props = Object.fromEntries(findAll(suite, 'property').map((p) => [p.attributes.name, p.attributes.value]));
    expect(props).toMatchObject({ backend: 'kind', 'version.vault': 'v1.21.0', 'version.kubernetes': 'v1.34.4', 'version.cert-manager': 'v1.16.5' });
  });

  it('stays well-formed with hostile text (markup, ]]>, quotes, control characters, newlines in attributes)', () => {
    const r = issuerMismatchFail();
    const nasty = 'a <b> & "c" \'d\' ]]> \u0000\u001b[31m\r\n\ttab';
    r.verdict.sides[0]!.observed = nasty;
    const skipped = { plan: { ...readyPass().plan, id: 'nasty-skip' }, skipped: `line1\nline2 "quoted" <x> ${nasty}` };
    const xml = toJUnit(fixtureRun([r, skipped]));
    const back = parseXml(xml);
    expect(findAll(back, 'failure')[0]!.text).toContain('a <b> & "c" \'d\' ]]> \uFFFD\uFFFD[31m');
    expect(findAll(back, 'skipped')[0]!.attributes.message).toBe(skipped.skipped.replace(/[\u0000\u001b]/g, '\uFFFD'));
  });
});

describe('parseXml (the checker itself)', () => {
  it.each([
    ['<a><b></a>', 'Missing end tag for element b'],
    ['<a x="1" x="2"/>', 'Duplicate attribute'],
    ['<a>&nbsp;</a>', "Named entity isn't defined"],
    ['<a>x & y</a>', 'Unterminated reference'],
    ['<a/><b/>', 'Extra content at the end'],
    ['<a x="<"/>', 'Unescaped `<`'],
    ['<a>\u0001</a>', 'Invalid character'],
    ['<a>', 'Missing end tag for element a'],
    ['<a>]]></a>', 'Missing end tag for element a'],
    ['<a x="1"y="2"/>', 'Unclosed start tag'],
    ['', 'Root element is missing'],
    // a forbidden character written as a reference is not well-formed either (the hand-written parser let it by)
    ['<a>&#0;</a>', 'Character reference resolves to an invalid character'],
    ['<a b="&#1;"/>', 'Character reference resolves to an invalid character'],
    ['<a/><!-- x -- y -->', "`--` isn't allowed inside a comment"],
  ])('rejects %j', (xml, why) => {
    expect(() => parseXml(xml)).toThrow(XmlError);
    expect(() => parseXml(xml)).toThrow(why);
  });
});
