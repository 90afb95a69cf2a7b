// One redaction on the way out: secrets an endpoint or library echoes never reach the terminal.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registerSecret } from '../../src/secrets.js';
import { REDACTED, redactSecrets } from '../../src/ui/redact.js';

const TOKEN = 'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDexampleexampleexampleexample';
const SIG = 'fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024';
const AUTH = `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261207/us-east-1/iam/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=${SIG}`;

describe('redactSecrets', () => {
  it('removes echoed request headers: SigV4 authorization, security token', () => {
    const echoed = `Request rejected: headers were {"authorization":"${AUTH}","x-amz-security-token":"${TOKEN}","x-amz-date":"20261207T204000Z"}`;
    const out = redactSecrets(echoed);
    assert.ok(!out.includes(SIG), out);
    assert.ok(!out.includes(TOKEN), out);
    assert.ok(!out.includes('SignedHeaders'), out);
    assert.match(out, /"x-amz-date":"20261207T204000Z"/);
    assert.match(out, /^Request rejected: headers were/);
  });

  it('removes header lines, presigned-URL queries, bearer and EKS tokens, XML and INI secrets', () => {
    const cases: Array<[string, string]> = [
      [`Authorization: ${AUTH}`, `Authorization: ${REDACTED}`],
      [`X-Amz-Security-Token: ${TOKEN}`, `X-Amz-Security-Token: ${REDACTED}`],
      [
        `GET https://sts.amazonaws.com/?Action=GetCallerIdentity&X-Amz-Credential=AKIA%2F2026&X-Amz-Signature=${SIG} failed`,
        `GET https://sts.amazonaws.com/?${REDACTED} failed`,
      ],
      [
        'authorization: Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln',
        `authorization: Bearer ${REDACTED}`,
      ],
      [
        'token k8s-aws-v1.aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8_QWN0aW9u rejected',
        `token ${REDACTED} rejected`,
      ],
      [`<SessionToken>${TOKEN}</SessionToken>`, `<SessionToken>${REDACTED}</SessionToken>`],
      [
        'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        `aws_secret_access_key = ${REDACTED}`,
      ],
      [`a bare ${TOKEN} token`, `a bare ${REDACTED} token`],
      [`a bare IQoKb3JpZ2luEXAMPLEexampleEXAMPLE01 token`, `a bare ${REDACTED} token`],
    ];
    for (const [input, expected] of cases) assert.equal(redactSecrets(input), expected, input);
  });

  it('removes this process’s own credentials wherever they appear', () => {
    const saved = process.env.AWS_SECRET_ACCESS_KEY;
    process.env.AWS_SECRET_ACCESS_KEY = 'plainSecretValue123';
    try {
      assert.equal(redactSecrets('echo: plainSecretValue123!'), `echo: ${REDACTED}!`);
    } finally {
      if (saved === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = saved;
    }
  });

  it('removes values after secret names with any separator: ->, =>, quotes, JSON arrays', () => {
    // A token of no known prefix (an SSO or credential_process session): only its name gives it away.
    const token = 'ZmFrZVNlc3Npb25Ub2tlbkZyb21BUHJvZmlsZQ/+abc==';
    const secret = 'pRoFiLeSeCrEt/K7MDENG+bPxRfiCYEXAMPLEKEY';
    const cases: Array<[string, string]> = [
      [`x-amz-security-token -> ${token}; ok`, `x-amz-security-token -> ${REDACTED}; ok`],
      [
        `json={"x-amz-security-token": ["${token}"]}`,
        `json={"x-amz-security-token": ["${REDACTED}"]}`,
      ],
      [`{\\"SessionToken\\": \\"${token}\\"}`, `{\\"SessionToken\\": \\"${REDACTED}\\"}`],
      [`aws_session_token => '${token}'`, `aws_session_token => '${REDACTED}'`],
      [`SecretAccessKey=${secret}`, `SecretAccessKey=${REDACTED}`],
      [
        `'aws_secret_access_key': ['${secret}', 'x']`,
        `'aws_secret_access_key': ['${REDACTED}', 'x']`,
      ],
      [`X-Amz-Signature -> ${SIG}`, `X-Amz-Signature -> ${REDACTED}`],
      [`X-Amz-Credential: ["AKIAIOSFODNN7EXAMPLE/2026"]`, `X-Amz-Credential: ["${REDACTED}"]`],
      [`Authorization -> ["opaque-token-value"]`, `Authorization -> ["${REDACTED}"]`],
      [`token: [REDACTED] twice`, `token: [REDACTED] twice`],
    ];
    for (const [input, expected] of cases) assert.equal(redactSecrets(input), expected, input);
    assert.equal(redactSecrets(redactSecrets(cases[1]![0])), cases[1]![1]);
  });

  it('keeps a JSON document JSON: an echoed header inside one of its strings', () => {
    const echoed = `headers were ${JSON.stringify({ authorization: AUTH, 'x-amz-security-token': TOKEN })}; url https://sts.amazonaws.com/?X-Amz-Signature=${SIG}`;
    const out = redactSecrets(JSON.stringify({ error: { message: echoed } }));
    const message = (JSON.parse(out) as { error: { message: string } }).error.message;
    assert.equal(
      message,
      `headers were {"authorization":"${REDACTED}","x-amz-security-token":"${REDACTED}"}; url https://sts.amazonaws.com/?${REDACTED}`,
    );
  });

  it('removes credentials the SDK resolved (profile, SSO, credential_process) once registered', () => {
    const secret = 'sdkResolvedSecret/0123456789abcdefEXAMPLE';
    const token = 'sdkResolvedToken0123456789abcdefghijklmnopqrstuvwxyz';
    const line = `echo: ${secret} and ${token}!`;
    assert.equal(redactSecrets(line), line, 'unknown before registration');
    registerSecret(secret);
    registerSecret(token);
    registerSecret('short');
    assert.equal(redactSecrets(line), `echo: ${REDACTED} and ${REDACTED}!`);
    assert.equal(redactSecrets('a short word'), 'a short word');
  });

  it('leaves what a user needs: names, ARNs, access key ids, plans', () => {
    const text = [
      'Plan: create-serviceaccount on demo (us-east-1)',
      '  + iam-role arn:aws:iam::123456789012:role/iamsa-demo-default-app',
      '    trust: StringEquals oidc.eks.us-east-1.amazonaws.com/id/ABC:sub system:serviceaccount:default:app',
      'error: AccessDenied: User: arn:aws:iam::123456789012:user/ci (AKIAIOSFODNN7EXAMPLE) is not authorized',
      'the projected token: present, audience sts.amazonaws.com',
      '{"schemaVersion": 2, "steps": []}',
    ].join('\n');
    assert.equal(redactSecrets(text), text);
  });
});
