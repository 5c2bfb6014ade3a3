import { describe, expect, it } from 'vitest';
import { goDirective, isLocalReplace, parseReplaces, renderGoMod } from './gomod.ts';

const VAULT_LIKE = `module github.com/hashicorp/vault

go 1.25.3

replace github.com/hashicorp/vault/api => ./api

replace github.com/hashicorp/vault/sdk => ./sdk

// a comment
replace github.com/99designs/keyring => github.com/Jeffail/keyring v1.2.3

replace github.com/ma314smith/signedxml v1.1.1 => github.com/moov-io/signedxml v1.1.1

replace (
	go.etcd.io/etcd/api/v3 => ../api
	example.com/x v1.0.0 => example.com/y v1.2.0 // why
)
`;

describe('go.mod replaces', () => {
  it('reads single-line and block replaces, with and without versions', () => {
    const r = parseReplaces(VAULT_LIKE);
    expect(r).toHaveLength(6);
    expect(r[2]).toEqual({ from: 'github.com/99designs/keyring', to: 'github.com/Jeffail/keyring', toVersion: 'v1.2.3' });
    expect(r[3]).toEqual({ from: 'github.com/ma314smith/signedxml', fromVersion: 'v1.1.1', to: 'github.com/moov-io/signedxml', toVersion: 'v1.1.1' });
    expect(r[5]).toEqual({ from: 'example.com/x', fromVersion: 'v1.0.0', to: 'example.com/y', toVersion: 'v1.2.0' });
  });

  it('tells local replaces (which a wrapper must drop) from module ones', () => {
    expect(parseReplaces(VAULT_LIKE).map(isLocalReplace)).toEqual([true, true, false, false, true, false]);
  });

  it('finds the go directive', () => {
    expect(goDirective(VAULT_LIKE)).toBe('1.25.3');
    expect(goDirective('module x\n')).toBeUndefined();
  });

  it('renders a wrapper that requires the pin and carries replaces', () => {
    const text = renderGoMod({
      module: 'cmvaulte2e.local/wrap/vault',
      go: '1.25.3',
      require: [{ path: 'github.com/hashicorp/vault', version: 'v1.21.0' }],
      replace: [{ from: 'github.com/99designs/keyring', to: 'github.com/Jeffail/keyring', toVersion: 'v1.2.3' }],
    });
    expect(text).toContain('module cmvaulte2e.local/wrap/vault\n\ngo 1.25.3\n');
    expect(text).toContain('require (\n\tgithub.com/hashicorp/vault v1.21.0\n)');
    expect(text).toContain('replace github.com/99designs/keyring => github.com/Jeffail/keyring v1.2.3\n');
    expect(parseReplaces(text)).toHaveLength(1);
  });
});
