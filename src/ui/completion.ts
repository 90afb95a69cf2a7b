// Shell completion scripts, rendered from a plain description of the command tree.
export interface FlagSpec {
  long: string;
  short?: string;
  description: string;
  takesValue: boolean;
  /** The values the flag takes (completed as words). */
  values?: string[];
  /** The value is a comma-separated list of `values` (each item completed). */
  list?: boolean;
  file?: boolean;
  repeatable?: boolean;
}

export interface CommandSpec {
  name: string;
  description: string;
  /** Every flag the command takes, the global ones included (their values may differ by command). */
  flags: FlagSpec[];
  args?: string[];
}

export interface CompletionSpec {
  program: string;
  /** The flags before a command. */
  globalFlags: FlagSpec[];
  commands: CommandSpec[];
}

export type Shell = 'bash' | 'zsh' | 'fish';
export const SHELLS: Shell[] = ['bash', 'zsh', 'fish'];

const names = (f: FlagSpec) => [f.long, ...(f.short ? [f.short] : [])];
const words = (flags: FlagSpec[]) => flags.flatMap(names).join(' ');

export function completionScript(shell: Shell, spec: CompletionSpec): string {
  if (shell === 'bash') return bash(spec);
  if (shell === 'zsh') return zsh(spec);
  return fish(spec);
}

/** bash `case "$prev"` arms that complete a flag's value; a flag without arm takes a word. */
function bashValueCases(fn: string, flags: FlagSpec[], indent: string): string {
  const arms = flags
    .filter((f) => f.takesValue)
    .map((f) => {
      const action = f.values
        ? `${fn}_words ${f.list ? 'list' : 'one'} "${f.values.join(' ')}"`
        : f.file
          ? `${fn}_files`
          : ':';
      return `${indent}${names(f).join('|')}) ${action}; ${fn}_reply; return ;;`;
    });
  return arms.join('\n');
}

function bash({ program, globalFlags, commands }: CompletionSpec): string {
  const fn = `_${program}_completion`;
  const commandCases = commands
    .map((c) =>
      [
        `    ${c.name})`,
        `      case "$prev" in`,
        bashValueCases(fn, c.flags, '        ') || '        __none__) ;;',
        `      esac`,
        `      opts="${[words(c.flags), ...(c.args ?? [])].join(' ')}" ;;`,
      ].join('\n'),
    )
    .join('\n');
  return `# bash completion for ${program}; load with: source <(${program} completion bash)
# Words of a flag's value; "list": a comma-separated list, each item completed.
${fn}_words() {
  local pre=""
  if [[ $1 == list && $cur == *,* ]]; then pre="\${cur%,*},"; fi
  COMPREPLY=( $(compgen -P "$pre" -W "$2" -- "\${cur##*,}") )
}
${fn}_files() {
  compopt -o filenames 2>/dev/null
  COMPREPLY=( $(compgen -f -- "$cur") )
}
# Replies as the whole typed word (the --flag= part included), cut to the part readline replaces:
# it starts after the word's last COMP_WORDBREAKS character (= and : by default).
${fn}_reply() {
  local typed="$flag$cur" cut="" i
  for ((i = \${#typed} - 1; i >= 0; i--)); do
    if [[ $COMP_WORDBREAKS == *"\${typed:i:1}"* ]]; then cut="\${typed:0:i+1}"; break; fi
  done
  COMPREPLY=( "\${COMPREPLY[@]/#/$flag}" )
  COMPREPLY=( "\${COMPREPLY[@]#"$cut"}" )
  # key.field= waits for its value.
  if [[ \${#COMPREPLY[@]} -eq 1 && $COMPREPLY == *= ]]; then compopt -o nospace 2>/dev/null; fi
}
${fn}() {
  local line cur prev cmd opts flag="" i n
  local -a words
  COMPREPLY=()
  # The words as typed, split at blanks only (COMP_WORDS also splits at = and :).
  line="\${COMP_LINE:0:COMP_POINT}"
  read -ra words <<< "$line"
  if [[ -z $line || $line == *[[:space:]] ]]; then words+=(""); fi
  n=\${#words[@]}
  cur="\${words[n-1]}"
  prev="\${words[n-2]}"
  # --flag=value completes the value.
  if [[ $cur == --*=* ]]; then
    flag="\${cur%%=*}="
    prev="\${flag%=}"
    cur="\${cur#*=}"
  fi
  cmd=""
  for ((i = 1; i < n - 1; i++)); do
    case "\${words[i]}" in
      ${commands.map((c) => c.name).join('|')}) cmd="\${words[i]}"; break ;;
    esac
  done
  case "$cmd" in
${commandCases}
    *)
      case "$prev" in
${bashValueCases(fn, globalFlags, '        ') || '        __none__) ;;'}
      esac
      opts="${commands.map((c) => c.name).join(' ')} ${words(globalFlags)} --help --version" ;;
  esac
  if [[ -n $flag ]]; then COMPREPLY=(); else COMPREPLY=( $(compgen -W "$opts" -- "$cur") ); fi
  ${fn}_reply
}
complete -F ${fn} ${program}
`;
}

const zshEscape = (text: string) =>
  text
    .replaceAll("'", "'\\''")
    .replaceAll('[', '\\[')
    .replaceAll(']', '\\]')
    .replaceAll(':', '\\:');

/** Words ending in `=` (`key.field=`) are the start of a value: no space after them. */
function zshWords(values: string[]): string {
  const open = values.filter((v) => v.endsWith('='));
  const whole = values.filter((v) => !v.endsWith('='));
  if (!open.length) return `(${whole.join(' ')})`;
  return `{compadd -S "" -- ${open.join(' ')}; compadd -- ${whole.join(' ')}}`;
}

function zshFlag(f: FlagSpec): string[] {
  const action = f.values
    ? f.list
      ? `:value:_values -s , value ${f.values.join(' ')}`
      : `:value:${zshWords(f.values)}`
    : f.file
      ? ':file:_files'
      : f.takesValue
        ? ':value: '
        : '';
  const desc = `[${zshEscape(f.description)}]`;
  const many = f.repeatable ? '*' : '';
  // --flag= takes its value in the next word or after `=`.
  const eq = (name: string) => (f.takesValue && name.startsWith('--') ? '=' : '');
  return names(f).map((name) => `'${many}${name}${eq(name)}${desc}${action}'`);
}

function zsh({ program, globalFlags, commands }: CompletionSpec): string {
  const cases = commands
    .map((c) => {
      const args = c.flags.flatMap(zshFlag);
      if (c.args) args.push(`'1:value:(${c.args.join(' ')})'`);
      return `        ${c.name})\n          _arguments -s \\\n            ${args.join(' \\\n            ')}\n          ;;`;
    })
    .join('\n');
  // The outer _arguments takes global flags before the command; '*:: :->args' then shifts the
  // words so each command's _arguments sees its own flags from position 1. Their '(-)' drops the
  // global specs once a command is given, or `audit -o` would get the global -o's values.
  return `#compdef ${program}
# zsh completion for ${program}; load with: source <(${program} completion zsh)
_${program}() {
  local curcontext="$curcontext" state line
  local -a commands
  commands=(
${commands.map((c) => `    '${c.name}:${zshEscape(c.description)}'`).join('\n')}
  )
  _arguments -C -s \\
    ${[...globalFlags.flatMap(zshFlag), "'(- *)--help[show help]'", "'(- *)--version[print the version]'"].join(' \\\n    ')} \\
    '(-)1:command:->command' \\
    '(-)*:: :->args'
  case $state in
    command)
      _describe -t commands 'command' commands
      ;;
    args)
      case $line[1] in
${cases}
      esac
      ;;
  esac
}
compdef _${program} ${program}
`;
}

function fish({ program, globalFlags, commands }: CompletionSpec): string {
  const quote = (t: string) => `'${t.replaceAll("'", "\\'")}'`;
  const flagLine = (f: FlagSpec, condition: string) =>
    [
      `complete -c ${program} -n ${quote(condition)}`,
      `-l ${f.long.replace(/^--/, '')}`,
      f.short ? `-s ${f.short.replace(/^-/, '')}` : '',
      f.takesValue ? (f.file ? '-r -F' : '-r -f') : '',
      f.values
        ? f.list
          ? `-a ${quote(`(__fish_complete_list , "string split , ${f.values.join(',')}")`)}`
          : `-a ${quote(f.values.join(' '))}`
        : '',
      `-d ${quote(f.description)}`,
    ]
      .filter(Boolean)
      .join(' ');
  const lines = [
    `# fish completion for ${program}; load with: ${program} completion fish | source`,
    `complete -c ${program} -f`,
    ...commands.map(
      (c) =>
        `complete -c ${program} -n '__fish_use_subcommand' -a ${c.name} -d ${quote(c.description)}`,
    ),
    ...globalFlags.map((f) => flagLine(f, '__fish_use_subcommand')),
    ...commands.flatMap((c) => [
      ...c.flags.map((f) => flagLine(f, `__fish_seen_subcommand_from ${c.name}`)),
      ...(c.args
        ? [
            `complete -c ${program} -n '__fish_seen_subcommand_from ${c.name}' -a ${quote(c.args.join(' '))}`,
          ]
        : []),
    ]),
  ];
  return `${lines.join('\n')}\n`;
}
