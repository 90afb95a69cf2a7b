// Values from outside iamsa (files, the cluster, IAM, endpoints' errors) as a terminal shows them
// harmlessly: a control character inside a value (ESC, OSC's BEL, CR, a newline that would forge a
// line) is written as a visible escape. Applied to values before styling, so chalk's own colours stay.

const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

// C0, DEL and C1 (0x80-0x9f: 8-bit CSI/OSC on terminals that read them).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** `value` with every C0/C1 control character as `\n`, `\r`, `\t` or `\u001b`. */
export function printable(value: string): string {
  return value.replace(
    CONTROL,
    (c) => SHORT[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A multi-line text iamsa itself assembled (an error's detail): each line made printable. */
export const printableLines = (text: string): string[] => text.split('\n').map(printable);
