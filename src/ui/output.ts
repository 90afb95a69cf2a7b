// Machine-readable output: exactly one JSON or YAML document on stdout.
export type OutputFormat = 'text' | 'json' | 'yaml';

export async function formatDocument(document: unknown, format: 'json' | 'yaml'): Promise<string> {
  if (format === 'json') return `${JSON.stringify(document, null, 2)}\n`;
  const { stringify } = await import('yaml');
  return stringify(document);
}
