import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExitCode } from '../../src/errors.js';
import { translateKubeError } from '../../src/kube/errors.js';
import { KubeHttpError } from '../../src/kube/rest.js';

const SERVER = 'https://k8s.example';

test('a create in a namespace being deleted is a precondition (exit 3), not a permission', () => {
  // What the NamespaceLifecycle admission plugin answers.
  const status = {
    kind: 'Status',
    status: 'Failure',
    message:
      'serviceaccounts "api" is forbidden: unable to create new content in namespace payments because it is being terminated',
    reason: 'Forbidden',
    details: {
      name: 'api',
      kind: 'serviceaccounts',
      causes: [
        {
          reason: 'NamespaceTerminating',
          message: 'namespace payments is being terminated',
          field: 'metadata.namespace',
        },
      ],
    },
    code: 403,
  };
  const e = translateKubeError(
    new KubeHttpError(403, status),
    'creating service account payments/api',
    SERVER,
  );
  assert.equal(e.exitCode, ExitCode.precondition);
  assert.equal(
    e.message,
    'cannot finish creating service account payments/api: namespace payments is being terminated',
  );
  assert.doesNotMatch(e.hint ?? '', /access entry/);
  // Older servers send the message without causes.
  const bare = translateKubeError(
    new KubeHttpError(403, { ...status, details: undefined }),
    'creating service account payments/api',
    SERVER,
  );
  assert.equal(bare.exitCode, ExitCode.precondition);
  assert.match(bare.message, /namespace payments is being terminated$/);
});

test('any other 403 is a permission problem (exit 4); 409 AlreadyExists a conflict (exit 5)', () => {
  const forbidden = translateKubeError(
    new KubeHttpError(403, {
      message: 'serviceaccounts "api" is forbidden: User "x" cannot create',
    }),
    'creating service account payments/api',
    SERVER,
  );
  assert.equal(forbidden.exitCode, ExitCode.auth);
  const exists = translateKubeError(
    new KubeHttpError(409, {
      reason: 'AlreadyExists',
      message: 'serviceaccounts "api" already exists',
    }),
    'creating service account payments/api',
    SERVER,
  );
  assert.equal(exists.exitCode, ExitCode.conflict);
  assert.match(exists.hint ?? '', /re-run/);
});

test('a certificate the --kube-ca-file CA does not sign blames that file, not a missing flag', () => {
  const untrusted = Object.assign(new Error('unable to verify the first certificate'), {
    code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  });
  const given = translateKubeError(untrusted, 'reading namespace default', SERVER, 'other-ca.crt');
  assert.equal(
    given.message,
    `--kube-ca-file other-ca.crt does not sign the certificate of the Kubernetes API at ${SERVER} (UNABLE_TO_VERIFY_LEAF_SIGNATURE)`,
  );
  assert.doesNotMatch(given.hint ?? '', /use --kube-ca-file/);
  // Without a CA file the cluster's own CA was used: then the hint offers the flag.
  const none = translateKubeError(untrusted, 'reading namespace default', SERVER);
  assert.match(none.message, /^TLS verification of the Kubernetes API at /);
  assert.match(none.hint ?? '', /--kube-ca-file/);
  // A name mismatch is not the CA's fault.
  const altname = Object.assign(new Error("Hostname/IP does not match certificate's altnames"), {
    code: 'ERR_TLS_CERT_ALTNAME_INVALID',
  });
  const named = translateKubeError(altname, 'reading namespace default', SERVER, 'ca.crt');
  assert.match(named.message, /^TLS verification of the Kubernetes API at /);
});
