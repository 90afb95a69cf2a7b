// A YAML file as documents that remember where each value came from: every problem found later
// (schema, values, duplicates) is reported with its line.
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  LineCounter,
  parseAllDocuments,
  visit,
  type Document,
} from 'yaml';

export type YamlPath = Array<string | number>;

/** One problem in a file: where it is and what is wrong. */
export interface Problem {
  line?: number;
  /** The value's path, like `bindings[3].attachPolicyARNs[0]` (empty for the whole document). */
  path: string;
  message: string;
  /** What to do about it. */
  hint?: string;
  /** The raw path, when the problem is about a value. */
  at?: YamlPath;
  /**
   * Problems that leave the rest readable: a template placeholder, and an unknown field of an item
   * (the item's other values are still checked, but not the item as a whole).
   */
  kind?: 'placeholder' | 'unknown-field';
}

export interface SourceDocument {
  /** 0-based position in the file. */
  index: number;
  value: unknown;
  /** The line of the value at path (or of the key, for a field that should not be there). */
  lineOf(path: YamlPath, key?: boolean): number | undefined;
}

/** `bindings[3].attachPolicyARNs[0]` */
export function pathLabel(path: YamlPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** yaml's own default: an alias may expand to at most this many nodes. */
const MAX_ALIAS_COUNT = 100;

/** No content at all, or only an implicit null (`---` with nothing after it). */
const isEmpty = (doc: Document.Parsed) =>
  doc.contents === null ||
  (isScalar(doc.contents) &&
    doc.contents.value === null &&
    doc.contents.source === '' &&
    !doc.contents.anchor);

/** Where the document's first alias is (the line of an alias-bomb problem). */
function firstAlias(doc: Document.Parsed): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Alias(_, node) {
      if (isAlias(node)) offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  return offset;
}

export function parseYaml(text: string): {
  documents: SourceDocument[];
  problems: Problem[];
  /** The `apiVersion` of each non-empty document, those that did not parse included. */
  apiVersions: unknown[];
} {
  const lineCounter = new LineCounter();
  const parsed = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const problems: Problem[] = [];
  const documents: SourceDocument[] = [];
  const apiVersions: unknown[] = [];
  const all = Array.isArray(parsed) ? parsed : [];
  if (!Array.isArray(parsed)) {
    problems.push({ path: '', message: 'not a YAML document stream' });
  }
  all.forEach((doc: Document.Parsed, index) => {
    for (const e of [...doc.errors]) {
      problems.push({
        line: lineCounter.linePos(e.pos[0]).line,
        path: '',
        message: `YAML: ${e.message.split('\n')[0]}`,
      });
    }
    // Even of a document that does not parse: which format's hint its problems get.
    if (!isEmpty(doc))
      apiVersions.push(isMap(doc.contents) ? doc.contents.get('apiVersion') : undefined);
    // An empty document (a trailing `---`, a file of comments) holds nothing to apply.
    if (doc.errors.length || isEmpty(doc)) return;
    const lineAt = (offset: number | undefined) =>
      offset === undefined ? undefined : lineCounter.linePos(offset).line;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      // An alias bomb (aliases of aliases, billions of nodes once expanded) is refused unexpanded.
      problems.push({
        line: lineAt(firstAlias(doc)),
        path: '',
        message: `YAML: ${(error as Error).message}; write the values out or use fewer aliases`,
      });
      return;
    }
    documents.push({
      index,
      value,
      lineOf(path, key = false) {
        // A field's line is its key's (a block map or list value starts on the next line).
        if ((key || typeof path[path.length - 1] === 'string') && path.length) {
          const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
          if (isMap(parent)) {
            const pair = parent.items.find(
              (p) => isPair(p) && isScalar(p.key) && p.key.value === path[path.length - 1],
            );
            const k = pair?.key;
            if (isScalar(k)) return lineAt(k.range?.[0]);
          }
        }
        // The nearest node that exists (a missing field is reported at its parent).
        for (let n = path.length; n >= 0; n--) {
          const node = n ? doc.getIn(path.slice(0, n), true) : doc.contents;
          const range = (node as { range?: [number, number, number] } | null)?.range;
          if (range) return lineAt(range[0]);
        }
        return undefined;
      },
    });
  });
  return { documents, problems, apiVersions };
}
