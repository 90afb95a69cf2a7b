// The package version, defined by the bundler (scripts/build.mjs); unbundled runs are dev builds.
declare const IAMSA_VERSION: string;
export const VERSION = typeof IAMSA_VERSION === 'string' ? IAMSA_VERSION : '0.0.0-dev';
