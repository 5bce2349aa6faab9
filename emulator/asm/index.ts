// The assembler front end: GNU as syntax for AArch64 in, sections / symbols / line map out.
export { assemble, Assembler } from './assembler';
export type {
  AsmOptions, AsmResult, AsmSection, AsmSymbol, AsmDiagnostic, LineMapEntry, ReadInclude, SectionType, SymbolBinding, SymbolType,
} from './result';
export { AsmError, OperandError } from './types';
export type { SourcePos, EncodeContext, EncodeInstruction } from './types';
export { preprocess, PREDEFINED } from './cpp';
export { parseExpr, evaluate as evaluateExpr, ExprError } from './expr';
