// The pure policy layer: names, validation, policy documents, trust policies, ownership tags.
export * from './names.js';
export * from './validate.js';
export * from './json-text.js';
export * from './policy-document.js';
export * from './trust-policy.js';
export * from './trust-evaluation.js';
export * from './ownership.js';
export * from './same-json.js';
export * from './pod-identity-trust.js';
export * from './well-known/index.js';
export * from './identity-evaluation.js';
export * from './trust-scope.js';
export * from './policies-fingerprint.js';
export * from './migration-trust.js';
export * from './daemon-restrictions.js';
export * from './kube2iam-trust.js';
