import { execa } from 'execa';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

// node:crypto can make keys and parse certificates but cannot sign them; OpenSSL (present on Debian) does.

export interface KeyPair {
  certFile: string;
  keyFile: string;
  certPem: string;
}

async function openssl(args: string[], cwd: string) {
  await execa('openssl', args, { cwd });
}

export async function createCa(dir: string, commonName: string): Promise<KeyPair> {
  await mkdir(dir, { recursive: true });
  const keyFile = join(dir, 'ca.key');
  const certFile = join(dir, 'ca.crt');
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', certFile,
    '-days', '2', '-subj', `/CN=${commonName}`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  return { certFile, keyFile, certPem: await readFile(certFile, 'utf8') };
}

export interface LeafRequest {
  name: string;
  commonName: string;
  organization?: string;
  dnsNames?: string[];
  ipAddresses?: string[];
  usage: 'server' | 'client';
}

export async function issueLeaf(ca: KeyPair, dir: string, req: LeafRequest): Promise<KeyPair> {
  const keyFile = join(dir, `${req.name}.key`);
  const csrFile = join(dir, `${req.name}.csr`);
  const certFile = join(dir, `${req.name}.crt`);
  const extFile = join(dir, `${req.name}.ext`);
  const subject = `/CN=${req.commonName}${req.organization ? `/O=${req.organization}` : ''}`;
  await openssl(['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyFile, '-out', csrFile, '-subj', subject], dir);
  const sans = [...(req.dnsNames ?? []).map((d) => `DNS:${d}`), ...(req.ipAddresses ?? []).map((i) => `IP:${i}`)];
  const ext = [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${req.usage === 'server' ? 'serverAuth' : 'clientAuth'}`,
    ...(sans.length ? [`subjectAltName=${sans.join(',')}`] : []),
  ];
  await writeFile(extFile, ext.join('\n') + '\n');
  await openssl(['x509', '-req', '-in', csrFile, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial', '-out', certFile, '-days', '2', '-extfile', extFile], dir);
  return { certFile, keyFile, certPem: await readFile(certFile, 'utf8') };
}

/** The RSA key pair kube-apiserver signs ServiceAccount tokens with (and Vault's JWT auth can verify with). */
export async function createSigningKey(dir: string): Promise<{ keyFile: string; pubFile: string; publicPem: string }> {
  const keyFile = join(dir, 'sa.key');
  const pubFile = join(dir, 'sa.pub');
  await openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', keyFile], dir);
  await openssl(['pkey', '-in', keyFile, '-pubout', '-out', pubFile], dir);
  return { keyFile, pubFile, publicPem: await readFile(pubFile, 'utf8') };
}
