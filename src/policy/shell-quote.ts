// One shell word: as it is when safe, else in single quotes (printed commands are pasted).
const SAFE = /^[A-Za-z0-9_\-./:=@,+%]+$/;

export const shellQuote = (word: string) =>
  SAFE.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
