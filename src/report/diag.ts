/**
 * Diagnostics in objtool's text format, kept in emission order, with the structured fields the JSON
 * and SARIF reports need. A function warns once: after its first warning at an instruction, further
 * instruction warnings in it are dropped (objtool's rule, which keeps one bad function from flooding).
 */
export interface Diagnostic {
  /** the line as objtool prints it (without the trailing newline) */
  text: string;
  message: string;
  /** section name and offset of the place, when the warning names one */
  sec?: string;
  off?: number;
  /** address of the place for linked files */
  addr?: number;
  func?: string;
  funcOff?: number;
  /** 'warning' lines are findings; 'note' lines are backtrace/context lines */
  level: 'warning' | 'note' | 'error';
}

export interface Place {
  sec: string;
  off: number;
  /** symbol used to name the place ('' when only the section names it) */
  sym: string;
  symOff: number;
  addr?: number;
}

export class Diagnostics {
  readonly list: Diagnostic[] = [];
  constructor(readonly objname: string, readonly secAddress = false) {}

  /** A warning without a place. */
  warn(message: string): void {
    this.list.push({ text: `${this.objname}: warning: objtool: ${message}`, message, level: 'warning' });
  }

  /** A warning at a place: `func+0xoff: message`. */
  warnAt(p: Place, message: string): void {
    this.list.push({
      text: `${this.objname}: warning: objtool: ${placeText(p, this.secAddress)}: ${message}`,
      message, sec: p.sec, off: p.off, addr: p.addr, func: p.sym || undefined, funcOff: p.sym ? p.symOff : undefined,
      level: 'warning',
    });
  }

  /** A backtrace line (objtool prints these indented, as warnings). */
  noteAt(p: Place, message: string): void {
    this.list.push({
      text: `${this.objname}: warning: objtool:   ${placeText(p, this.secAddress)}: ${message}`,
      message, sec: p.sec, off: p.off, func: p.sym || undefined, funcOff: p.sym ? p.symOff : undefined, level: 'note',
    });
  }

  get warningCount(): number {
    let n = 0;
    for (const d of this.list) if (d.level === 'warning') n++;
    return n;
  }
}

export function placeText(p: Place, secAddress: boolean): string {
  if (!p.sym) return `${p.sec}+0x${p.off.toString(16)}`;
  const base = `${p.sym}+0x${p.symOff.toString(16)}`;
  return secAddress ? `${base} (${p.sec}+0x${p.off.toString(16)})` : base;
}
