// Allocation tag -> colour. Every colour is a VS Code theme variable, so the grid follows the light,
// dark and high-contrast themes (and custom ones); the tag's hex digit is always written in the cell
// too, so colour is never the only carrier of the information.

/** Theme colours for tags 1..15 (tag 0, "untagged", uses the editor background). */
export const TAG_COLOR_VARS: readonly string[] = [
  '--vscode-editor-background',          // 0
  '--vscode-terminal-ansiRed',           // 1
  '--vscode-terminal-ansiGreen',         // 2
  '--vscode-terminal-ansiYellow',        // 3
  '--vscode-terminal-ansiBlue',          // 4
  '--vscode-terminal-ansiMagenta',       // 5
  '--vscode-terminal-ansiCyan',          // 6
  '--vscode-charts-orange',              // 7
  '--vscode-charts-purple',              // 8
  '--vscode-terminal-ansiBrightRed',     // 9
  '--vscode-terminal-ansiBrightGreen',   // 10
  '--vscode-terminal-ansiBrightYellow',  // 11
  '--vscode-terminal-ansiBrightBlue',    // 12
  '--vscode-terminal-ansiBrightMagenta', // 13
  '--vscode-terminal-ansiBrightCyan',    // 14
  '--vscode-terminal-ansiBrightBlack',   // 15
];

/** Fallbacks (dark theme values) for when a variable is missing. */
const FALLBACK: readonly string[] = [
  '#1e1e1e', '#cd3131', '#0dbc79', '#e5e510', '#2472c8', '#bc3fbc', '#11a8cd', '#d18616',
  '#b180d7', '#f14c4c', '#23d18b', '#f5f543', '#3b8eea', '#d670d6', '#29b8db', '#666666',
];

export function tagColorVar(tag: number): string {
  if (!Number.isInteger(tag) || tag < 0 || tag > 15) throw new RangeError(`tag ${tag} is not a 4-bit allocation tag`);
  return TAG_COLOR_VARS[tag];
}

/** The cell's CSS class for a tag (`null`: no tag storage / unreadable). */
export function tagClass(tag: number | null): string {
  return tag === null ? 'tag-none' : `tag-${tag.toString(16)}`;
}

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

/** Which theme a webview body is in, from the classes VS Code puts on it. */
export function themeKindOf(bodyClasses: readonly string[]): ThemeKind {
  if (bodyClasses.includes('vscode-high-contrast-light')) return 'high-contrast-light';
  if (bodyClasses.includes('vscode-high-contrast')) return 'high-contrast';
  if (bodyClasses.includes('vscode-light')) return 'light';
  return 'dark';
}

/** How much of the tag colour is mixed into the cell background (the rest is the editor background). */
export function fillPercent(kind: ThemeKind): number {
  switch (kind) {
    case 'light': return 45;
    case 'dark': return 55;
    // high contrast: a lighter fill, and the cell border in the tag colour carries it instead
    case 'high-contrast': case 'high-contrast-light': return 30;
  }
}

/**
 * The style sheet of the tag classes. The fill is the tag colour mixed into the editor background
 * (so text in the editor foreground stays readable on every theme), the left border is the pure
 * tag colour.
 */
export function tagStyleSheet(): string {
  const rules: string[] = [];
  for (let t = 0; t < 16; t++) {
    const v = `var(${TAG_COLOR_VARS[t]}, ${FALLBACK[t]})`;
    const cls = `.tag-${t.toString(16)}`;
    if (t === 0) {
      rules.push(`${cls} { background: var(--vscode-editor-background, ${FALLBACK[0]}); border-color: var(--vscode-editorWidget-border, #454545); }`);
      continue;
    }
    rules.push(`${cls} { background: color-mix(in srgb, ${v} var(--tag-fill, 50%), var(--vscode-editor-background, ${FALLBACK[0]})); border-color: ${v}; }`);
    rules.push(`.legend ${cls}::before, .swatch${cls} { background: ${v}; }`);
  }
  rules.push(`.tag-none { background: repeating-linear-gradient(45deg, transparent 0 4px, var(--vscode-editorWidget-border, #454545) 4px 5px); color: var(--vscode-disabledForeground, #888); }`);
  for (const k of ['light', 'dark', 'high-contrast', 'high-contrast-light'] as const) {
    rules.push(`body.vscode-${k} { --tag-fill: ${fillPercent(k)}%; }`);
  }
  return rules.join('\n');
}
