// Machine-readable output: exactly one JSON or YAML document on stdout.
/** sarif: audit only (checked when the command line is parsed). */
export const OUTPUT_FORMATS = ['text', 'json', 'yaml', 'sarif'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export async function formatDocument(document: unknown, format: 'json' | 'yaml'): Promise<string> {
  if (format === 'json') return `${JSON.stringify(document, null, 2)}\n`;
  // yaml ships CommonJS: once bundled, its exports may sit under `default`.
  const yaml = await import('yaml');
  const stringify =
    yaml.stringify ?? (yaml as unknown as { default: typeof yaml }).default.stringify;
  // bindings[].steps share their arrays with steps: written out, not as &anchors and *aliases.
  return stringify(document, { lineWidth: 0, aliasDuplicateObjects: false });
}
