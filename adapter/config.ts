// The launch configuration of the `tagvisor` debugger: its TypeScript type, its validation (every
// error names the field and says what was expected and what was given), and the JSON schema that
// package.json contributes (`contributes.debuggers[0].configurationAttributes.launch`), generated
// from the same field table so the two cannot drift (test/adapter/config.test.ts checks
// package.json against `launchSchema()`).

/** What a launch request must carry (after VS Code's own fields are stripped). */
export interface LaunchConfig {
  /** The program: an assembly source (.s / .S, assembled by Tagvisor) or an AArch64 ELF executable. */
  program: string;
  /** argv[1..] of the guest process. */
  args: string[];
  /** Environment of the guest process (envp), in insertion order. */
  env: Record<string, string>;
  /** Working directory for the guest (and the base for a relative `program`). */
  cwd: string;
  /** Stop at the program's entry point before executing the first instruction. */
  stopOnEntry: boolean;
  /** The hypervisor VM description (validated by emulator/hv); undefined = plain MTE-capable RAM. */
  vm: Record<string, unknown> | undefined;
  /** Seed of the machine's deterministic randomness (AT_RANDOM, getrandom, IRG seeding). */
  seed: number;
  /** Instructions of execution history kept for stepBack / reverseContinue (0 disables it). */
  historySize: number;
}

export const DEFAULT_HISTORY_SIZE = 200_000;
export const MAX_HISTORY_SIZE = 50_000_000;
export const DEFAULT_SEED = 1;

export class ConfigError extends Error {
  constructor(readonly field: string, message: string) {
    super(`launch.json: ${message}`);
    this.name = 'ConfigError';
  }
}

/** A short description of a JSON value for error messages: `number 5`, `an object`, `null`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  switch (typeof v) {
    case 'string': return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
    case 'number': return `number ${v}`;
    case 'boolean': return `boolean ${v}`;
    case 'object': return 'an object';
    case 'undefined': return 'nothing';
    default: return typeof v;
  }
}

interface FieldSpec {
  /** JSON schema of the field (draft-07 subset VS Code understands). */
  schema: Record<string, unknown>;
  required?: boolean;
}

const FIELDS: { [K in keyof LaunchConfig]: FieldSpec } = {
  program: {
    required: true,
    schema: {
      type: 'string',
      description: 'The program to debug: an assembly source file (.s, or .S with the C preprocessor) that Tagvisor assembles, or a static AArch64 ELF executable. Relative paths are resolved against cwd, else the workspace folder.',
      default: '${file}',
    },
  },
  args: {
    schema: {
      type: 'array', items: { type: 'string' },
      description: 'Command-line arguments passed to the guest (argv[1] onwards).',
      default: [],
    },
  },
  env: {
    schema: {
      type: 'object', additionalProperties: { type: 'string' },
      description: 'Environment variables of the guest process. The guest starts with exactly these (the host environment is not inherited).',
      default: {},
    },
  },
  cwd: {
    schema: {
      type: 'string',
      description: 'Working directory of the guest; the guest may read files below it (read-only). Default: the directory of the program.',
      default: '${workspaceFolder}',
    },
  },
  stopOnEntry: {
    schema: {
      type: 'boolean',
      description: 'Stop at the entry point, before the first instruction runs.',
      default: true,
    },
  },
  vm: {
    schema: {
      type: 'object',
      description: 'Run the guest inside an emulated KVM-like virtual machine described here (memory slots and their backing, MTE, swap policy, private ranges, debug policy). Omit it for one MTE-capable RAM slot.',
    },
  },
  seed: {
    schema: {
      type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER,
      description: 'Seed of the deterministic randomness the guest sees (AT_RANDOM, getrandom, /dev/urandom, the IRG tag generator). Same seed, same run.',
      default: DEFAULT_SEED,
    },
  },
  historySize: {
    schema: {
      type: 'integer', minimum: 0, maximum: MAX_HISTORY_SIZE,
      description: 'How many instructions of history (register, memory and allocation-tag writes) to keep for Step Back and Reverse Continue. 0 turns reverse execution off and runs fastest.',
      default: DEFAULT_HISTORY_SIZE,
    },
  },
};

/** Fields VS Code (or the user) may put in any debug configuration; accepted and ignored. */
const GENERIC_FIELDS = new Set([
  'type', 'request', 'name', 'noDebug', 'debugServer', 'preLaunchTask', 'postDebugTask', 'internalConsoleOptions',
  'presentation', 'console', 'suppressMultipleSessionWarning', 'serverReadyAction', 'linux', 'osx', 'windows',
]);

/** The JSON schema for `configurationAttributes.launch`. */
export function launchSchema(): { required: string[]; properties: Record<string, unknown> } {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const [k, f] of Object.entries(FIELDS) as [keyof LaunchConfig, FieldSpec][]) {
    properties[k] = f.schema;
    if (f.required) required.push(k);
  }
  return { required, properties };
}

export interface ValidateOptions {
  /** Base for relative paths when `cwd` is absent (the workspace folder, or the process cwd). */
  baseDir: string;
  /** Resolves a path (node:path.resolve in the adapter). */
  resolve: (base: string, p: string) => string;
  dirname: (p: string) => string;
}

export interface Validated {
  config: LaunchConfig;
  /** Fields that were not recognised (reported to the user as a warning, not an error). */
  unknownFields: string[];
}

/**
 * Checks a launch request's arguments. Throws ConfigError with a message such as
 * `launch.json: "args" must be an array of strings, got number 5`.
 */
export function validateLaunchConfig(raw: unknown, opts: ValidateOptions): Validated {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('', `the launch configuration must be an object, got ${describeValue(raw)}`);
  }
  const r = raw as Record<string, unknown>;
  const unknownFields = Object.keys(r).filter(k => !(k in FIELDS) && !GENERIC_FIELDS.has(k) && !k.startsWith('__'));

  const program = r.program;
  if (program === undefined) throw new ConfigError('program', '"program" is required: the path of a .s/.S file or an AArch64 ELF executable');
  if (typeof program !== 'string') throw new ConfigError('program', `"program" must be a string (a file path), got ${describeValue(program)}`);
  if (program.trim() === '') throw new ConfigError('program', '"program" must not be empty');

  let args: string[] = [];
  if (r.args !== undefined) {
    if (!Array.isArray(r.args)) throw new ConfigError('args', `"args" must be an array of strings, got ${describeValue(r.args)}`);
    r.args.forEach((a, i) => {
      if (typeof a !== 'string') throw new ConfigError('args', `"args[${i}]" must be a string, got ${describeValue(a)}`);
      if (a.includes('\0')) throw new ConfigError('args', `"args[${i}]" must not contain a NUL character`);
    });
    args = [...r.args as string[]];
  }

  const env: Record<string, string> = {};
  if (r.env !== undefined) {
    if (r.env === null || typeof r.env !== 'object' || Array.isArray(r.env)) {
      throw new ConfigError('env', `"env" must be an object mapping names to strings, got ${describeValue(r.env)}`);
    }
    for (const [k, v] of Object.entries(r.env as Record<string, unknown>)) {
      if (typeof v !== 'string') throw new ConfigError('env', `"env.${k}" must be a string, got ${describeValue(v)}`);
      if (k === '' || k.includes('=') || k.includes('\0')) throw new ConfigError('env', `"env" has an invalid variable name ${JSON.stringify(k)} (it must be non-empty and contain no "=" or NUL)`);
      if (v.includes('\0')) throw new ConfigError('env', `"env.${k}" must not contain a NUL character`);
      env[k] = v;
    }
  }

  let cwd: string;
  if (r.cwd !== undefined) {
    if (typeof r.cwd !== 'string') throw new ConfigError('cwd', `"cwd" must be a string (a directory path), got ${describeValue(r.cwd)}`);
    if (r.cwd.trim() === '') throw new ConfigError('cwd', '"cwd" must not be empty');
    cwd = opts.resolve(opts.baseDir, r.cwd);
  } else {
    cwd = opts.dirname(opts.resolve(opts.baseDir, program));
  }

  let stopOnEntry = false;
  if (r.stopOnEntry !== undefined) {
    if (typeof r.stopOnEntry !== 'boolean') throw new ConfigError('stopOnEntry', `"stopOnEntry" must be true or false, got ${describeValue(r.stopOnEntry)}`);
    stopOnEntry = r.stopOnEntry;
  }

  let vm: Record<string, unknown> | undefined;
  if (r.vm !== undefined) {
    if (r.vm === null || typeof r.vm !== 'object' || Array.isArray(r.vm)) {
      throw new ConfigError('vm', `"vm" must be an object (a VM description), got ${describeValue(r.vm)}`);
    }
    vm = r.vm as Record<string, unknown>;
  }

  const seed = integerField(r, 'seed', DEFAULT_SEED, 0, Number.MAX_SAFE_INTEGER);
  const historySize = integerField(r, 'historySize', DEFAULT_HISTORY_SIZE, 0, MAX_HISTORY_SIZE);

  return {
    config: { program: opts.resolve(r.cwd !== undefined ? cwd : opts.baseDir, program), args, env, cwd, stopOnEntry, vm, seed, historySize },
    unknownFields,
  };
}

function integerField(r: Record<string, unknown>, name: string, dflt: number, min: number, max: number): number {
  const v = r[name];
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    throw new ConfigError(name, `"${name}" must be an integer, got ${describeValue(v)}`);
  }
  if (v < min || v > max) throw new ConfigError(name, `"${name}" must be between ${min} and ${max}, got ${v}`);
  return v;
}
