/**
 * SARIF 2.1.0 logs (OASIS Static Analysis Results Interchange Format): one run of one tool, its
 * rules, and results located in a binary by address and by function name. Shared by the commands
 * that report findings (`verify`, `check`).
 */

export interface SarifRule {
  id: string;
  /** one-line description */
  text: string;
}

export interface SarifLocation {
  /** file (a path; written as a relative or file: URI) */
  file: string;
  /** address as the command reports it (section offset in relocatable objects, virtual address in linked files) */
  addr?: number;
  /** `func+0xoff` or `section+0xoff` */
  where?: string;
  /** containing function */
  func?: string;
  /** section name, when addresses are section offsets */
  sec?: string;
}

export interface SarifResult {
  ruleId: string;
  level: 'error' | 'warning' | 'note';
  message: string;
  location: SarifLocation;
  /** steps leading to the result (a code flow), in order */
  flow?: { location: SarifLocation; message: string }[];
  /** extra machine-readable facts */
  properties?: Record<string, unknown>;
}

export interface SarifTool {
  name: string;
  version: string;
  informationUri?: string;
}

const SCHEMA = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** The whole log as one JSON text (with a final newline). */
export function sarifLog(tool: SarifTool, rules: readonly SarifRule[], results: readonly SarifResult[]): string {
  const ruleIndex = new Map<string, number>();
  rules.forEach((r, k) => ruleIndex.set(r.id, k));
  const log = {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: tool.name,
          version: tool.version,
          ...(tool.informationUri ? { informationUri: tool.informationUri } : {}),
          rules: rules.map((r) => ({ id: r.id, shortDescription: { text: r.text } })),
        },
      },
      results: results.map((r) => sarifResult(r, ruleIndex.get(r.ruleId))),
    }],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

function sarifResult(r: SarifResult, ruleIndex: number | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {
    ruleId: r.ruleId,
    ...(ruleIndex !== undefined ? { ruleIndex } : {}),
    level: r.level,
    message: { text: r.message },
    locations: [location(r.location)],
  };
  if (r.flow && r.flow.length) {
    out.codeFlows = [{
      threadFlows: [{ locations: r.flow.map((s) => ({ location: { ...location(s.location), message: { text: s.message } } })) }],
    }];
  }
  if (r.properties) out.properties = r.properties;
  return out;
}

function location(l: SarifLocation): Record<string, unknown> {
  const physical: Record<string, unknown> = { artifactLocation: { uri: fileUri(l.file) } };
  if (l.addr !== undefined) {
    // section offsets (relocatable objects) are relative to the named section
    physical.address = l.sec ? { relativeAddress: l.addr, kind: 'section', name: l.sec } : { absoluteAddress: l.addr };
  }
  const out: Record<string, unknown> = { physicalLocation: physical };
  if (l.func || l.where) {
    out.logicalLocations = [{
      ...(l.func ? { name: l.func } : {}),
      ...(l.where ? { fullyQualifiedName: l.where } : {}),
      kind: 'function',
    }];
  }
  return out;
}

/** Paths as URI references: relative paths stay relative (resolved against the run's directory). */
function fileUri(path: string): string {
  const enc = path.split('/').map((seg) => encodeURIComponent(seg)).join('/');
  return path.startsWith('/') ? `file://${enc}` : enc;
}
