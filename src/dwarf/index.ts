/**
 * DWARF call-frame information: `readCfi` reads .eh_frame/.debug_frame into CIEs and FDEs,
 * `CfaEvaluator` turns an FDE into unwind rows (pull-based: `begin`, `next`, `seek`),
 * `FdeLookup` finds the FDE covering a location, `format*` spell rules like the test oracle.
 */
export { readCfi, readCfiTables, CfiSection, type Cie, type Fde, type CfiKind, type CfiOptions, type CfiProblem } from './cfi.js';
export { CfaEvaluator, CfaKind, RuleKind, MAX_COLUMNS, MAX_STATE_DEPTH } from './eval.js';
export { FdeLookup } from './lookup.js';
export { dwarfRegName, dwarfFramePointer, dwarfStackPointer, formatCfa, formatRule, formatOracleRules, RuleSpeller, type OracleRules } from './format.js';
export { DW_CFA, DW_EH_PE } from './constants.js';
export type { PointerValue, PointerBases } from './pointer.js';
export { LsdaReader } from './lsda.js';
