/** SARIF 2.1.0 for `check`: one run, one result per warning, located by file, section and function. */
import type { Diagnostic } from './diag.js';

interface SarifResult {
  ruleId: string;
  level: 'warning';
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string } }; logicalLocations?: { name: string; kind: string; fullyQualifiedName?: string }[] }[];
  properties?: Record<string, unknown>;
}

/** A stable rule id from the message: the text with names and numbers taken out. */
export function ruleId(message: string): string {
  return message.replace(/0x[0-9a-f]+|[-+]?\d+/g, 'N').replace(/\b[\w.$]+\(\)/g, 'FUNC()').replace(/[^a-zA-Z]+/g, '-').replace(/^-|-$/g, '').toLowerCase();
}

export function sarifLog(runs: readonly { file: string; diags: readonly Diagnostic[] }[]): object {
  const results: SarifResult[] = [];
  const rules = new Map<string, string>();
  for (const { file, diags } of runs) {
    for (const d of diags) {
      if (d.level !== 'warning') continue;
      const id = ruleId(d.message);
      if (!rules.has(id)) rules.set(id, d.message);
      const logical = d.func ? [{ name: d.func, kind: 'function', fullyQualifiedName: `${d.func}+0x${(d.funcOff ?? 0).toString(16)}` }] : undefined;
      results.push({
        ruleId: id, level: 'warning', message: { text: d.message },
        locations: [{ physicalLocation: { artifactLocation: { uri: file } }, ...(logical ? { logicalLocations: logical } : {}) }],
        properties: { section: d.sec ?? null, offset: d.off ?? null, address: d.addr ?? null },
      });
    }
  }
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: { driver: { name: 'objflow', informationUri: 'https://github.com/objflow/objflow', rules: [...rules].map(([id, text]) => ({ id, shortDescription: { text } })) } },
      results,
    }],
  };
}
