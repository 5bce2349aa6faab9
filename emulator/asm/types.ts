// Contract between the assembler front end (this folder) and the instruction table (emulator/isa/).

/** A source position, 1-based line and column. */
export interface SourcePos { file: string; line: number; column: number }

/** An assembly error that names the place. `column` is 1-based within the source line. */
export class AsmError extends Error {
  /** `from`: for errors inside a `.macro` expansion, the invocation sites (innermost first). */
  constructor(message: string, public pos?: SourcePos, public from?: SourcePos[]) {
    super(pos ? `${pos.file}:${pos.line}:${pos.column}: error: ${message}` : message);
    this.name = 'AsmError';
  }
  /** The message without the position prefix. */
  get bare(): string { return this.pos ? this.message.slice(this.message.indexOf(': error: ') + 9) : this.message; }
}

/**
 * An operand-level error raised by the instruction encoder; `offset` is the 0-based character
 * offset inside the operand text so the front end can turn it into a column. A negative offset
 * (or an AsmError without a position) points at the mnemonic instead.
 */
export class OperandError extends Error {
  constructor(message: string, public offset = 0) { super(message); this.name = 'OperandError'; }
}

export interface EncodeContext {
  /** Address of the instruction being encoded. */
  pc: bigint;
  /** True in the final pass: unresolved symbols and out-of-range values must be reported. */
  final: boolean;
  /**
   * Evaluates an expression: numbers, symbols, '.', + - * / % << >> & | ^ ~ ( ), and the
   * relocation operators `:lo12:expr`, `:abs_g0:`... that a static link resolves. In a non-final
   * pass an unknown symbol evaluates to `pc` (so sizes stay stable) instead of throwing.
   * Throws OperandError for malformed expressions and (final pass) undefined symbols, with
   * `offset` relative to `expr` (the front end also remembers the exact column itself, so an
   * encoder may add its own base or rethrow as it likes). A leading `#` is allowed. The result is a signed 64-bit value
   * (BigInt.asIntN(64, ...)); addresses are positive. `:lo12:x` is x & 0xfff, `:abs_gN:` and
   * `:abs_gN_nc:` give the 16-bit chunk N, `:abs_gN_s:` gives x >> 16N (signed; pick MOVN when
   * negative), `:pg_hi21:x` is x itself (ADRP takes the page difference).
   */
  evaluate(expr: string): bigint;
}

/** Encodes one instruction; throws OperandError / AsmError on bad input. Provided by emulator/isa. */
export type EncodeInstruction = (mnemonic: string, operands: string, ctx: EncodeContext) => number;
