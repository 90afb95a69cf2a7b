// The well-known policies: data (one module per key) and how keys and scopes are checked and built.
export * from './catalogue.js';
export * from './types.js';
export * from './resolve.js';
