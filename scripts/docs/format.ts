// Pages are kept in prettier's format (npm run check holds the repository to it).
import prettier from 'prettier';

export async function formatted(markdown: string, file: string): Promise<string> {
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(markdown, { ...options, filepath: file });
}
