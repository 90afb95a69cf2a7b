import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ValidationError } from '../../src/errors.js';
import {
  INLINE_ROLE_POLICY_LIMIT,
  decodePolicyText,
  jsonErrorOffset,
  normalizeStatements,
  parseJsonText,
  parsePolicyJson,
  policySize,
  validatePolicyDocument,
  type PolicyStatement,
} from '../../src/policy/index.js';

const SRC = 'policy.json';

function rejects(fn: () => unknown, ...patterns: (RegExp | string)[]): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ValidationError, `expected ValidationError, got ${String(err)}`);
    assert.ok(!err.message.includes('\n'), `message is not one line: ${err.message}`);
    for (const p of patterns) {
      if (typeof p === 'string')
        assert.ok(err.message.includes(p), `"${err.message}" lacks "${p}"`);
      else assert.match(err.message, p);
    }
    return true;
  });
}

const statement = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  Effect: 'Allow',
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::bucket/*',
  ...extra,
});
const doc = (...statements: Record<string, unknown>[]) => ({
  Version: '2012-10-17',
  Statement: statements.length === 1 ? statements[0] : statements,
});

describe('parsePolicyJson', () => {
  it('refuses a number that overflows to Infinity (IAM would get null), naming where', () => {
    const text =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":1e400}}}]}';
    assert.throws(
      () => parsePolicyJson(text, SRC),
      (e: unknown) =>
        e instanceof ValidationError &&
        /Statement\[0\]\.Condition\.NumericLessThan\.s3:max-keys is out of range/.test(e.message),
    );
  });
  it('parses and normalises a single statement object to an array', () => {
    const parsed = parsePolicyJson(JSON.stringify(doc(statement())), SRC);
    assert.deepEqual(parsed, { Version: '2012-10-17', Statement: [statement()] });
  });
  it('keeps Id', () => {
    const parsed = parsePolicyJson(JSON.stringify({ ...doc(statement()), Id: 'x' }), SRC);
    assert.equal(parsed.Id, 'x');
  });
  it('accepts the URL-encoded form IAM returns', () => {
    const text = encodeURIComponent(JSON.stringify(doc(statement())));
    assert.ok(text.startsWith('%7B%22Version'));
    assert.deepEqual(parsePolicyJson(text, SRC).Statement, [statement()]);
  });
  it('accepts lower-case percent escapes, a BOM and surrounding whitespace', () => {
    const text = `\uFEFF  ${encodeURIComponent(JSON.stringify(doc(statement()))).replace('%7B', '%7b')}\n`;
    assert.equal(parsePolicyJson(text, SRC).Version, '2012-10-17');
  });
  it('reports a JSON error with the source, line and column', () =>
    rejects(
      () => parsePolicyJson('{\n  "Version": "2012-10-17",\n  "Statement": [}\n', SRC),
      'policy.json: not valid JSON',
      'line 3, column 17',
    ));
  it('spots a trailing comma', () =>
    rejects(
      () => parsePolicyJson('{"Version": "2012-10-17",}', SRC),
      'trailing comma',
      'position 25',
    ));
  it('reports unexpected end of input', () =>
    rejects(() => parsePolicyJson('{"Version": "2012-10-17"', SRC), 'unexpected end of input'));
  it('reports empty text', () =>
    rejects(() => parsePolicyJson('', SRC), 'policy.json', 'end of input'));
  it('reports bad URL encoding', () =>
    rejects(() => parsePolicyJson('%7B%ZZ', SRC), 'URL-encoded'));
});

describe('jsonErrorOffset', () => {
  const cases: [string, number][] = [
    ['{}', -1],
    ['[1, "a", true, null, {"b": [-1.5e3]}]', -1],
    [' "\\u00e9\\n" ', -1],
    ['', 0],
    ['{', 1],
    ['{"a":}', 5],
    ['{"a" 1}', 5],
    ['[1,]', 3],
    ['[1 2]', 3],
    ['{a: 1}', 1],
    ["{'a': 1}", 1],
    ['{"a": 01}', 7],
    ['"\\x"', 2],
    ['"a\nb"', 2],
    ['{} x', 3],
    ['tru', 0],
  ];
  for (const [text, offset] of cases) {
    it(`${JSON.stringify(text)} -> ${offset}`, () => {
      assert.equal(jsonErrorOffset(text), offset);
      // Agrees with JSON.parse about validity.
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      assert.equal(offset === -1, valid);
    });
  }
});

describe('decodePolicyText / parseJsonText', () => {
  it('leaves plain JSON alone', () => assert.equal(decodePolicyText(' {"a":1} ', SRC), '{"a":1}'));
  it('decodes %7B...', () => assert.equal(decodePolicyText('%7B%22a%22%3A1%7D', SRC), '{"a":1}'));
  it('parses decoded JSON', () =>
    assert.deepEqual(parseJsonText('%7B%22a%22%3A1%7D', SRC), { a: 1 }));
});

describe('validatePolicyDocument: document', () => {
  it('accepts both versions', () => {
    assert.equal(validatePolicyDocument(doc(statement()), SRC).Version, '2012-10-17');
    assert.equal(
      validatePolicyDocument({ ...doc(statement()), Version: '2008-10-17' }, SRC).Version,
      '2008-10-17',
    );
  });
  it('rejects a missing Version with the fix', () =>
    rejects(
      () => validatePolicyDocument({ Statement: [statement()] }, SRC),
      'policy.json: missing "Version"',
      '"Version": "2012-10-17"',
    ));
  it('rejects another Version', () =>
    rejects(
      () => validatePolicyDocument({ ...doc(statement()), Version: '2012-10-18' }, SRC),
      '"2012-10-18"',
    ));
  for (const bad of [null, [], 'x', 1]) {
    it(`rejects a non-object ${JSON.stringify(bad)}`, () =>
      rejects(() => validatePolicyDocument(bad, SRC), 'must be a JSON object'));
  }
  it('rejects unknown top-level elements', () =>
    rejects(
      () => validatePolicyDocument({ ...doc(statement()), Statements: [] }, SRC),
      'unknown top-level element "Statements"',
    ));
  it('rejects a missing Statement', () =>
    rejects(() => validatePolicyDocument({ Version: '2012-10-17' }, SRC), 'missing "Statement"'));
  it('rejects an empty Statement list', () =>
    rejects(
      () => validatePolicyDocument({ Version: '2012-10-17', Statement: [] }, SRC),
      '"Statement" is empty',
    ));
  it('rejects a non-object statement', () =>
    rejects(
      () => validatePolicyDocument({ Version: '2012-10-17', Statement: ['x'] }, SRC),
      'statement 0 must be a JSON object',
    ));
  it('accepts several statements', () =>
    assert.equal(
      validatePolicyDocument(doc(statement(), statement({ Effect: 'Deny' })), SRC).Statement.length,
      2,
    ));
  it('rejects a non-string Id', () =>
    rejects(
      () => validatePolicyDocument({ ...doc(statement()), Id: 1 }, SRC),
      '"Id" must be a string',
    ));
});

describe('validatePolicyDocument: statements', () => {
  it('rejects a missing Effect', () =>
    rejects(
      () => validatePolicyDocument(doc(statement({ Effect: undefined })), SRC),
      'statement 0 has no "Effect"',
    ));
  it('rejects a lower-case Effect', () =>
    rejects(
      () => validatePolicyDocument(doc(statement({ Effect: 'allow' })), SRC),
      '"Allow" or "Deny", not "allow"',
    ));
  it('names the statement by index and Sid', () =>
    rejects(
      () =>
        validatePolicyDocument(
          doc(statement(), statement({ Sid: 'Second', Effect: 'Maybe' })),
          SRC,
        ),
      'statement 1 ("Second")',
    ));
  for (const key of ['Principal', 'NotPrincipal']) {
    it(`rejects ${key}, explaining it belongs to resource policies`, () =>
      rejects(
        () => validatePolicyDocument(doc(statement({ [key]: { AWS: '*' } })), SRC),
        `has "${key}"`,
        'resource-based',
        'remove it',
      ));
  }
  it('rejects unknown statement elements', () =>
    rejects(
      () => validatePolicyDocument(doc(statement({ Actions: 'x' })), SRC),
      'unknown element "Actions"',
    ));
  it('rejects both Action and NotAction', () =>
    rejects(
      () => validatePolicyDocument(doc(statement({ NotAction: 's3:*' })), SRC),
      'both "Action" and "NotAction"',
    ));
  it('rejects neither Action nor NotAction', () =>
    rejects(
      () => validatePolicyDocument(doc(statement({ Action: undefined })), SRC),
      'has no "Action"',
    ));
  it('accepts NotAction and NotResource', () =>
    assert.doesNotThrow(() =>
      validatePolicyDocument(
        doc({ Effect: 'Deny', NotAction: ['iam:*'], NotResource: 'arn:aws:iam::*:role/x' }),
        SRC,
      ),
    ));
  for (const action of [
    '*',
    's3:*',
    's3:Get*',
    'ec2:Describe?nstances',
    'execute-api:Invoke',
    'S3:GetObject',
  ]) {
    it(`accepts action ${action}`, () =>
      assert.doesNotThrow(() => validatePolicyDocument(doc(statement({ Action: [action] })), SRC)));
  }
  for (const action of ['s3GetObject', 's3:', ':Get', 's3:Get Object', '*:*', 's3 :Get']) {
    it(`rejects action ${JSON.stringify(action)}`, () =>
      rejects(
        () => validatePolicyDocument(doc(statement({ Action: action })), SRC),
        `action ${JSON.stringify(action)}`,
        'service:Action',
      ));
  }
  it('rejects an empty Action list', () =>
    rejects(
      () => validatePolicyDocument(doc(statement({ Action: [] })), SRC),
      '"Action" is an empty list',
    ));
  it('rejects a non-string action', () =>
    rejects(
      () => validatePolicyDocument(doc(statement({ Action: ['s3:GetObject', 1] })), SRC),
      'list of strings',
    ));
  it('accepts "*" and ARN resources (with wildcards and variables)', () =>
    assert.doesNotThrow(() =>
      validatePolicyDocument(
        doc(statement({ Resource: ['*', 'arn:aws:s3:::b/${aws:username}/*', 'arn:*:s3:::x'] })),
        SRC,
      ),
    ));
  it('rejects a resource that is not an ARN', () =>
    rejects(
      () => validatePolicyDocument(doc(statement({ Resource: 'my-bucket' })), SRC),
      'resource "my-bucket"',
      'an ARN',
    ));
  it('rejects a missing Resource', () =>
    rejects(
      () => validatePolicyDocument(doc(statement({ Resource: undefined })), SRC),
      'has no "Resource"',
    ));
  it('accepts alphanumeric Sids and rejects others', () => {
    assert.doesNotThrow(() => validatePolicyDocument(doc(statement({ Sid: 'ReadBucket1' })), SRC));
    rejects(
      () => validatePolicyDocument(doc(statement({ Sid: 'read-bucket' })), SRC),
      '"Sid" must contain only letters and digits',
    );
    rejects(() => validatePolicyDocument(doc(statement({ Sid: 1 })), SRC), '"Sid"');
  });
  it('rejects duplicate Sids', () =>
    rejects(
      () => validatePolicyDocument(doc(statement({ Sid: 'A' }), statement({ Sid: 'A' })), SRC),
      'also used by statement 0',
    ));
  it('accepts a Condition block with strings, numbers, booleans and lists', () =>
    assert.doesNotThrow(() =>
      validatePolicyDocument(
        doc(
          statement({
            Condition: {
              StringEquals: { 'aws:RequestedRegion': ['eu-west-1', 'eu-west-2'] },
              Bool: { 'aws:SecureTransport': true },
              NumericLessThan: { 's3:max-keys': 10 },
              'ForAnyValue:StringLike': { 'aws:TagKeys': 'team*' },
            },
          }),
        ),
        SRC,
      ),
    ));
  for (const [condition, message] of [
    ['x', '"Condition" must be an object'],
    [[], '"Condition" must be an object'],
    [{ 'String Equals': { a: 'b' } }, 'not a condition operator'],
    [{ StringEquals: 'x' }, 'must map condition keys to values'],
    [{ StringEquals: {} }, 'must map condition keys to values'],
    [{ StringEquals: { a: [] } }, 'non-empty list of values'],
    [{ StringEquals: { a: { b: 1 } } }, 'non-empty list of values'],
  ] as const) {
    it(`rejects Condition ${JSON.stringify(condition)}`, () =>
      rejects(
        () => validatePolicyDocument(doc(statement({ Condition: condition })), SRC),
        message,
      ));
  }
});

describe('policy size', () => {
  it('ignores whitespace', () => {
    const d = doc(statement());
    assert.equal(policySize(d), JSON.stringify(d).length);
    assert.equal(policySize(JSON.stringify(d, null, 2)), JSON.stringify(d).length);
  });
  it('counts non-JSON text without whitespace', () => assert.equal(policySize('a b\n c'), 3));
  it('counts characters rather than UTF-16 units', () => assert.equal(policySize('"😀"'), 3));
  it('accepts exactly 10,240 characters and rejects 10,241, naming the limit', () => {
    const base = doc(statement({ Resource: 'arn:aws:s3:::' }));
    const pad = INLINE_ROLE_POLICY_LIMIT - policySize(base);
    const at = doc(statement({ Resource: `arn:aws:s3:::${'x'.repeat(pad)}` }));
    assert.equal(policySize(at), 10_240);
    assert.doesNotThrow(() => validatePolicyDocument(at, SRC));
    const over = doc(statement({ Resource: `arn:aws:s3:::${'x'.repeat(pad + 1)}` }));
    rejects(
      () => validatePolicyDocument(over, SRC),
      'policy.json',
      '10241 characters',
      '10,240',
      'managed policy',
    );
  });
  it('does not count indentation towards the limit', () => {
    const base = doc(statement({ Resource: 'arn:aws:s3:::' }));
    const pad = INLINE_ROLE_POLICY_LIMIT - policySize(base);
    const text = JSON.stringify(
      doc(statement({ Resource: `arn:aws:s3:::${'x'.repeat(pad)}` })),
      null,
      8,
    );
    assert.ok(text.length > INLINE_ROLE_POLICY_LIMIT);
    assert.doesNotThrow(() => parsePolicyJson(text, SRC));
  });
});

describe('normalizeStatements', () => {
  const s = statement() as unknown as PolicyStatement;
  it('wraps a single statement', () =>
    assert.deepEqual(normalizeStatements({ Statement: s }), [s]));
  it('copies an array', () => {
    const list = [s];
    const out = normalizeStatements({ Statement: list });
    assert.deepEqual(out, list);
    assert.notEqual(out, list);
  });
});
