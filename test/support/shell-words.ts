// The words of a command line as iamsa prints it (single-quoted where needed), for running a
// printed equivalent command as is.
export function splitShell(line: string): string[] {
  const words: string[] = [];
  const re = /'((?:[^']|'\\'')*)'|(\S+)/g;
  for (const m of line.matchAll(re))
    words.push(m[1] !== undefined ? m[1].replaceAll(`'\\''`, "'") : (m[2] ?? ''));
  return words;
}
