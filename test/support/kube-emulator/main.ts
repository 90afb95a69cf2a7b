// Starts one emulator for manual use:
//   node --import tsx test/support/kube-emulator/main.ts --token secret [--port 6443]
//     [--cert server.pem --key server.key] [--eks-cluster demo --sts-endpoint http://127.0.0.1:5000]
//     [--region us-east-1] [--secret-key AKID=SECRET]... [--namespace ns]... [--version v1.32.0]
// Without --cert/--key it makes a throwaway PKI and writes a kubeconfig next to it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createTestPki } from '../pki.js';
import { kubeconfigFor, startKubeEmulator } from './index.js';

const { values } = parseArgs({
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    cert: { type: 'string' },
    key: { type: 'string' },
    token: { type: 'string', multiple: true },
    'eks-cluster': { type: 'string' },
    'sts-endpoint': { type: 'string' },
    region: { type: 'string' },
    'secret-key': { type: 'string', multiple: true },
    namespace: { type: 'string', multiple: true },
    version: { type: 'string' },
  },
});

if (Boolean(values.cert) !== Boolean(values.key)) {
  console.error('--cert and --key go together');
  process.exit(2);
}
if (Boolean(values['eks-cluster']) !== Boolean(values['sts-endpoint'])) {
  console.error('--eks-cluster and --sts-endpoint go together');
  process.exit(2);
}
const pki = values.cert ? undefined : createTestPki();
const emulator = await startKubeEmulator({
  ...(values.host ? { host: values.host } : {}),
  port: Number(values.port ?? 0),
  tls: pki
    ? { certPem: pki.serverChainPem, keyPem: pki.serverKeyPem }
    : {
        certPem: readFileSync(values.cert ?? '', 'utf8'),
        keyPem: readFileSync(values.key ?? '', 'utf8'),
      },
  staticTokens: values.token ?? [],
  ...(values['eks-cluster']
    ? {
        eks: {
          clusterName: values['eks-cluster'],
          stsEndpoint: values['sts-endpoint'] ?? '',
          ...(values.region ? { region: values.region } : {}),
          ...(values['secret-key']
            ? {
                secretAccessKeys: Object.fromEntries(
                  values['secret-key'].map((pair) => [
                    pair.split('=')[0],
                    pair.slice(pair.indexOf('=') + 1),
                  ]),
                ),
              }
            : {}),
        },
      }
    : {}),
  ...(values.namespace ? { namespaces: values.namespace } : {}),
  ...(values.version ? { version: values.version } : {}),
});
console.log(emulator.url);
if (pki) {
  const kubeconfig = join(pki.dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFor(emulator.url, values.token?.[0] ?? '', pki.rootCertPath));
  console.error(`CA: ${pki.rootCertPath}\nkubeconfig: ${kubeconfig}`);
}
const stop = () => void emulator.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
