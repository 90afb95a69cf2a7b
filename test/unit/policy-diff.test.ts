// The plan's lines for an inline policy update: each field's values gained and lost, statements
// paired by Sid (else position), a statement only one side has shown whole.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { policyChanges } from '../../src/policy/index.js';

const doc = (...Statement: object[]) => ({ Version: '2012-10-17', Statement });

describe('policyChanges', () => {
  it('nothing for the same document, whatever the key order', () => {
    const a = doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' });
    assert.deepEqual(
      policyChanges(a, doc({ Resource: '*', Action: 's3:GetObject', Effect: 'Allow' })),
      [],
    );
  });
  it('the values a field gains and loses, per statement', () => {
    assert.deepEqual(
      policyChanges(
        doc({ Effect: 'Allow', Action: ['s3:GetObject', 's3:ListBucket'], Resource: '*' }),
        doc({
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:PutObject'],
          Resource: 'arn:aws:s3:::b/*',
        }),
      ),
      [
        'statement 0 Action: + s3:PutObject, - s3:ListBucket',
        'statement 0 Resource: + arn:aws:s3:::b/*, - *',
      ],
    );
  });
  it('pairs statements by Sid wherever they are; the unpaired ones are shown whole', () => {
    assert.deepEqual(
      policyChanges(
        doc(
          { Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' },
          { Sid: 'Old', Effect: 'Allow', Action: 'sqs:*', Resource: '*' },
        ),
        doc(
          { Sid: 'New', Effect: 'Deny', Action: 'iam:*', Resource: '*' },
          {
            Sid: 'Read',
            Effect: 'Allow',
            Action: 's3:GetObject',
            Resource: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'true' } },
          },
        ),
      ),
      [
        '+ statement 0 (New) {"Action":"iam:*","Effect":"Deny","Resource":"*","Sid":"New"}',
        'statement 1 (Read) Condition: + {"Bool":{"aws:SecureTransport":"true"}}',
        '- statement 1 (Old) {"Action":"sqs:*","Effect":"Allow","Resource":"*","Sid":"Old"}',
      ],
    );
  });
});
