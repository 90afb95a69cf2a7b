// Test PKI made per run with the openssl CLI: root CA -> intermediate CA -> server leaf.
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeTempDir, tempDir } from './temp.js';

export interface TestPki {
  /** Holds the private keys: close() removes it (or the process exit does). */
  dir: string;
  rootCertPem: string;
  rootCertPath: string;
  intermediateCertPem: string;
  /** Leaf certificate followed by the intermediate: what a server sends. */
  serverChainPem: string;
  serverKeyPem: string;
  close(): void;
}

const openssl = (args: string[], cwd: string) =>
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });

export function createTestPki(hosts: string[] = ['localhost', '127.0.0.1']): TestPki {
  const dir = tempDir('pki');
  const san = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
  writeFileSync(
    join(dir, 'ext.cnf'),
    [
      '[ca]',
      'basicConstraints=critical,CA:TRUE',
      'keyUsage=critical,keyCertSign,cRLSign',
      '[leaf]',
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=${san}`,
      '',
    ].join('\n'),
  );
  const key = (name: string) =>
    openssl(
      ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', `${name}.key`],
      dir,
    );
  key('root');
  openssl(
    [
      'req',
      '-x509',
      '-new',
      '-key',
      'root.key',
      '-subj',
      '/CN=iamsa test root',
      '-days',
      '2',
      '-out',
      'root.crt',
      '-extensions',
      'ca',
      '-config',
      'ext.cnf',
    ],
    dir,
  );
  const sign = (name: string, subject: string, issuer: string, ext: string) => {
    key(name);
    openssl(['req', '-new', '-key', `${name}.key`, '-subj', subject, '-out', `${name}.csr`], dir);
    openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        `${issuer}.crt`,
        '-CAkey',
        `${issuer}.key`,
        '-CAcreateserial',
        '-days',
        '2',
        '-extfile',
        'ext.cnf',
        '-extensions',
        ext,
        '-out',
        `${name}.crt`,
      ],
      dir,
    );
  };
  sign('intermediate', '/CN=iamsa test intermediate', 'root', 'ca');
  sign('server', `/CN=${hosts[0] ?? 'localhost'}`, 'intermediate', 'leaf');
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return {
    dir,
    rootCertPem: read('root.crt'),
    rootCertPath: join(dir, 'root.crt'),
    intermediateCertPem: read('intermediate.crt'),
    serverChainPem: read('server.crt') + read('intermediate.crt'),
    serverKeyPem: read('server.key'),
    close: () => removeTempDir(dir),
  };
}

/** SHA-1 fingerprint as IAM wants it: 40 lower-case hex characters. */
export function sha1Thumbprint(pem: string): string {
  return createHash('sha1').update(new X509Certificate(pem).raw).digest('hex');
}
