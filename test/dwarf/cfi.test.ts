/**
 * CIE/FDE reader: augmentations, pointer encodings, .debug_frame versions and 64-bit DWARF,
 * relocatable objects, and hostile input (expected values derived by hand from the format).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ElfFile } from '../../src/elf/reader.js';
import { FormatError } from '../../src/elf/errors.js';
import { readCfi, type CfiSection } from '../../src/dwarf/cfi.js';
import { DW_CFA, DW_EH_PE } from '../../src/dwarf/constants.js';
import { FdeLookup } from '../../src/dwarf/lookup.js';
import { CfaEvaluator } from '../../src/dwarf/eval.js';
import { bytes, elf64, type Bytes, type ElfSpec } from './bytes.js';

const TEXT_ADDR = 0x1000;
const EH_ADDR = 0x2000;
const DATA_ADDR = 0x3000;

/** A linked x86-64 file: .text at 0x1000, `name` at 0x2000, .got at 0x3000 holding `gotValue`. */
function linked(section: Bytes, name = '.eh_frame', gotValue = 0, machine = 62): ElfFile {
  const got = bytes().u64(gotValue).u64(0x123456789);
  return new ElfFile(elf64({
    machine,
    sections: [
      { name: '.text', flags: 6, addr: TEXT_ADDR, data: new Uint8Array(0x100) },
      { name, flags: name === '.eh_frame' ? 2 : 0, addr: name === '.eh_frame' ? EH_ADDR : 0, data: section.bytes() },
      { name: '.got', flags: 3, addr: DATA_ADDR, data: got.bytes() },
    ],
  }));
}

function read(elf: ElfFile, kind: 'eh_frame' | 'debug_frame' = 'eh_frame', strict = false): CfiSection {
  const cfi = readCfi(elf, kind, { strict });
  assert.ok(cfi);
  return cfi;
}

/** CIE "zR" (code align 1, data align -8, RA 16, FDE encoding `enc`) with def_cfa rsp+8; offset rip at cfa-8. */
function cieZR(b: Bytes, enc: number = DW_EH_PE.pcrel | DW_EH_PE.sdata4): Bytes {
  return b.entry((c) => c.u32(0).u8(1).str('zR').uleb(1).sleb(-8).u8(16).uleb(1).u8(enc)
    .u8(DW_CFA.def_cfa).uleb(7).uleb(8).u8(DW_CFA.offset | 16).uleb(1));
}

test('eh_frame: CIE zR and a pcrel|sdata4 FDE give the address and range', () => {
  const b = cieZR(bytes());
  const fdeOff = b.length; // 0x18... computed, not assumed
  // pc_begin field is at fdeOff + 8; it must reach TEXT_ADDR + 0x20
  const field = fdeOff + 8;
  b.entry((f) => f.u32(fdeOff + 4).u32(TEXT_ADDR + 0x20 - (EH_ADDR + field)).u32(0x30).uleb(0).u8(DW_CFA.nop));
  b.u32(0); // terminator
  const cfi = read(linked(b), 'eh_frame', true);
  assert.equal(cfi.problems.length, 0);
  assert.equal(cfi.fdes.length, 1);
  const f = cfi.fdes[0];
  assert.equal(f.offset, fdeOff);
  assert.equal(f.pcSec, -1);
  assert.equal(f.pcBegin, TEXT_ADDR + 0x20);
  assert.equal(f.pcRange, 0x30);
  assert.equal(f.cie.offset, 0);
  assert.equal(f.cie.augmentation, 'zR');
  assert.equal(f.cie.codeAlign, 1);
  assert.equal(f.cie.dataAlign, -8);
  assert.equal(f.cie.raColumn, 16);
  assert.equal(f.cie.fdeEncoding, 0x1b);
  assert.equal(f.insnEnd - f.insnStart, 1);
});

test('eh_frame: every pointer format reads the FDE start (absolute encodings)', () => {
  const cases: [number, (b: Bytes, v: number) => void, (b: Bytes, v: number) => void][] = [
    [DW_EH_PE.absptr, (b, v) => b.u64(v), (b, v) => b.u64(v)],
    [DW_EH_PE.udata2, (b, v) => b.u16(v), (b, v) => b.u16(v)],
    [DW_EH_PE.udata4, (b, v) => b.u32(v), (b, v) => b.u32(v)],
    [DW_EH_PE.udata8, (b, v) => b.u64(v), (b, v) => b.u64(v)],
    [DW_EH_PE.uleb128, (b, v) => b.uleb(v), (b, v) => b.uleb(v)],
    [DW_EH_PE.sleb128, (b, v) => b.sleb(v), (b, v) => b.sleb(v)],
    [DW_EH_PE.sdata2, (b, v) => b.u16(v), (b, v) => b.u16(v)],
    [DW_EH_PE.sdata4, (b, v) => b.u32(v), (b, v) => b.u32(v)],
    [DW_EH_PE.sdata8, (b, v) => b.u64(v), (b, v) => b.u64(v)],
  ];
  for (const [enc, pc, range] of cases) {
    const b = cieZR(bytes(), enc);
    const fdeOff = b.length;
    b.entry((f) => {
      f.u32(fdeOff + 4);
      pc(f, 0x1234);
      range(f, 0x56);
      f.uleb(0);
    });
    const cfi = read(linked(b), 'eh_frame', true);
    assert.equal(cfi.fdes[0].pcBegin, 0x1234, `encoding 0x${enc.toString(16)}`);
    assert.equal(cfi.fdes[0].pcRange, 0x56, `encoding 0x${enc.toString(16)}`);
  }
});

test('eh_frame: signed formats sign-extend; textrel/datarel add their bases', () => {
  const cases: [number, (b: Bytes) => void, number][] = [
    // sdata2 0xfff0 = -16, relative to the text base
    [DW_EH_PE.textrel | DW_EH_PE.sdata2, (b) => b.u16(0xfff0), TEXT_ADDR - 16],
    [DW_EH_PE.datarel | DW_EH_PE.sdata4, (b) => b.u32(0x10), DATA_ADDR + 0x10],
    [DW_EH_PE.textrel | DW_EH_PE.sleb128, (b) => b.sleb(-0x100), TEXT_ADDR - 0x100],
  ];
  for (const [enc, pc, want] of cases) {
    const b = cieZR(bytes(), enc);
    const fdeOff = b.length;
    b.entry((f) => {
      f.u32(fdeOff + 4);
      pc(f);
      f.u16(4).pad(2).uleb(0); // range read with the format only
    });
    const cfi = read(linked(b), 'eh_frame');
    assert.deepEqual(cfi.problems, []);
    assert.equal(cfi.fdes[0].pcBegin, want, `encoding 0x${enc.toString(16)}`);
  }
});

test('eh_frame: zPLR with an indirect personality, LSDA (funcrel and pcrel), S, B, G', () => {
  const b = bytes();
  // personality: pcrel|indirect|sdata4 pointing at .got (DATA_ADDR), which holds 0xabcdef
  b.entry((c) => {
    c.u32(0).u8(1).str('zPLRSBG').uleb(1).sleb(-8).u8(16);
    const aug = bytes().u8(0x9b);
    const fieldPos = c.length + 1 /* aug length uleb */ + aug.length + 4 /* length field of the entry */;
    aug.u32(DATA_ADDR - (EH_ADDR + fieldPos)).u8(DW_EH_PE.funcrel | DW_EH_PE.udata4).u8(0x1b);
    c.uleb(aug.length).raw(aug).u8(DW_CFA.def_cfa).uleb(7).uleb(8);
  });
  const fdeOff = b.length;
  b.entry((f) => f.u32(fdeOff + 4).u32(TEXT_ADDR - (EH_ADDR + fdeOff + 8)).u32(0x10).uleb(4).u32(0x40));
  const cfi = read(linked(b, '.eh_frame', 0xabcdef), 'eh_frame', true);
  const cie = cfi.fdes[0].cie;
  assert.equal(cie.augmentation, 'zPLRSBG');
  assert.equal(cie.personalityEncoding, 0x9b);
  assert.ok(cie.personality);
  assert.equal(cie.personality.indirect, true);
  assert.equal(cie.personality.value, DATA_ADDR);
  assert.equal(cie.personality.target, 0xabcdef);
  assert.equal(cie.lsdaEncoding, 0x43);
  assert.equal(cie.signalFrame, true);
  assert.equal(cie.bKey, true);
  assert.equal(cie.mteTagged, true);
  const f = cfi.fdes[0];
  assert.equal(f.pcBegin, TEXT_ADDR);
  assert.ok(f.lsda);
  assert.equal(f.lsda.value, TEXT_ADDR + 0x40); // funcrel: FDE start + 0x40
});

test('eh_frame: aligned pointers skip to the address size', () => {
  const b = cieZR(bytes(), DW_EH_PE.aligned);
  const fdeOff = b.length;
  b.entry((f) => {
    f.u32(fdeOff + 4);
    const field = fdeOff + 8;
    const pad = (8 - ((EH_ADDR + field) % 8)) % 8;
    f.pad(pad).u64(0x4444);
    f.u64(8).uleb(0);
  });
  const cfi = read(linked(b), 'eh_frame', true);
  assert.equal(cfi.fdes[0].pcBegin, 0x4444);
});

test('eh_frame: unknown augmentation, bad encoding and a missing CIE are named problems; scanning goes on', () => {
  const b = bytes();
  b.entry((c) => c.u32(0).u8(1).str('zX').uleb(1).sleb(-8).u8(16).uleb(0)); // CIE 0: unknown 'X'
  const cie2 = b.length;
  b.entry((c) => c.u32(0).u8(1).str('zR').uleb(1).sleb(-8).u8(16).uleb(1).u8(0x0e)); // bad format nibble
  const cie3 = b.length;
  cieZR(b, DW_EH_PE.udata4);
  const f1 = b.length;
  b.entry((f) => f.u32(f1 + 4).u32(0x1000).u32(1).uleb(0)); // uses CIE 0
  const f2 = b.length;
  b.entry((f) => f.u32(f2 + 4 - cie2).u32(0x1000).u32(1).uleb(0)); // uses CIE 2
  const f3 = b.length;
  b.entry((f) => f.u32(f3 + 4 - 0x7000).u32(0x1000).u32(1).uleb(0)); // points before the section
  const f4 = b.length;
  b.entry((f) => f.u32(f4 + 4 - f1).u32(0x1000).u32(1).uleb(0)); // points at an FDE
  const good = b.length;
  b.entry((f) => f.u32(good + 4 - cie3).u32(0x2000).u32(2).uleb(0));
  const cfi = read(linked(b));
  assert.equal(cfi.fdes.length, 1);
  assert.equal(cfi.fdes[0].offset, good);
  assert.equal(cfi.fdes[0].pcBegin, 0x2000);
  const msgs = cfi.problems.map((p) => p.message);
  assert.equal(msgs.length, 6, msgs.join('\n'));
  assert.match(msgs[0], /unknown CIE augmentation 'X' in "zX"/);
  assert.match(msgs[1], /bad FDE pointer encoding 0xe/);
  assert.match(msgs[2], /FDE names CIE at 0x0: .*unknown CIE augmentation/);
  assert.match(msgs[3], /FDE names CIE at 0x[0-9a-f]+: .*bad FDE pointer encoding/);
  assert.match(msgs[4], /FDE names CIE at 0x-?[0-9a-f]+: .*outside the section/);
  assert.match(msgs[5], /is not a CIE/);
  assert.deepEqual(cfi.problems.map((p) => p.offset), [0, cie2, f1, f2, f3, f4]);
  assert.throws(() => read(linked(b), 'eh_frame', true), (e: unknown) => e instanceof FormatError && /unknown CIE augmentation/.test(e.message) && e.offset > 0);
});

test('eh_frame: zero terminators are skipped; a length past the end stops the scan with a FormatError offset', () => {
  const b = cieZR(bytes(), DW_EH_PE.udata4);
  b.u32(0).u32(0);
  const f = b.length;
  b.entry((e) => e.u32(f + 4).u32(0x1100).u32(8).uleb(0));
  const bad = b.length;
  b.u32(0x100).u32(0); // claims 256 bytes, 4 remain
  const elf = linked(b);
  const cfi = read(elf);
  assert.equal(cfi.fdes.length, 1);
  assert.equal(cfi.fdes[0].pcBegin, 0x1100);
  assert.equal(cfi.problems.length, 1);
  assert.equal(cfi.problems[0].offset, bad);
  assert.match(cfi.problems[0].message, /runs past the section end/);
  const sec = elf.section('.eh_frame');
  assert.ok(sec);
  assert.throws(() => read(elf, 'eh_frame', true), (e: unknown) => e instanceof FormatError && e.offset === sec.offset + bad);
});

test('eh_frame: a 64-bit length escape with a huge length is a problem, not a hang', () => {
  const b = cieZR(bytes());
  b.u32(0xffffffff).u64(2n ** 60n).u32(0);
  const cfi = read(linked(b));
  assert.equal(cfi.cieCount, 1);
  assert.equal(cfi.problems.length, 1);
  assert.match(cfi.problems[0].message, /runs past the section end/);
});

test('eh_frame: truncated fields inside an entry are problems', () => {
  const b = bytes();
  b.entry((c) => c.u32(0).u8(1).u8(0x7a, 0x52)); // augmentation string never terminated
  const cie = b.length;
  b.entry((c) => c.u32(0).u8(1).str('zR').uleb(1).sleb(-8).u8(16).uleb(9).u8(0x1b)); // aug data longer than the CIE
  const cfi = read(linked(b));
  assert.equal(cfi.problems.length, 2);
  assert.match(cfi.problems[0].message, /unterminated string/);
  assert.match(cfi.problems[1].message, /augmentation data length 9 runs past the CIE/);
  assert.equal(cfi.problems[1].offset, cie);
});

test('eh_frame: unsupported CIE version', () => {
  const b = bytes().entry((c) => c.u32(0).u8(2).str('').uleb(1).sleb(-8).u8(16));
  const cfi = read(linked(b));
  assert.match(cfi.problems[0].message, /unsupported CIE version 2/);
});

test('debug_frame: version 1 (ubyte RA), 3 (uleb RA), 4 (address and segment size), absolute CIE pointers', () => {
  const b = bytes();
  b.entry((c) => c.u32(0xffffffff).u8(1).str('').uleb(4).sleb(-4).u8(30).u8(DW_CFA.def_cfa).uleb(31).uleb(0));
  const c3 = b.length;
  b.entry((c) => c.u32(0xffffffff).u8(3).str('').uleb(1).sleb(-8).uleb(200));
  const c4 = b.length;
  b.entry((c) => c.u32(0xffffffff).u8(4).str('').u8(4).u8(0).uleb(2).sleb(4).uleb(16));
  b.entry((f) => f.u32(0).u64(0x401000).u64(0x20).u8(DW_CFA.nop));
  b.entry((f) => f.u32(c3).u64(0x402000).u64(0x30));
  b.entry((f) => f.u32(c4).u32(0x403000).u32(0x40)); // 4-byte addresses
  const cfi = read(linked(b, '.debug_frame'), 'debug_frame', true);
  assert.equal(cfi.kind, 'debug_frame');
  assert.equal(cfi.fdes.length, 3);
  const [a, c, d] = cfi.fdes;
  assert.equal(a.cie.version, 1);
  assert.equal(a.cie.raColumn, 30);
  assert.equal(a.cie.codeAlign, 4);
  assert.equal(a.pcBegin, 0x401000);
  assert.equal(a.pcRange, 0x20);
  assert.equal(c.cie.version, 3);
  assert.equal(c.cie.raColumn, 200);
  assert.equal(c.pcBegin, 0x402000);
  assert.equal(d.cie.version, 4);
  assert.equal(d.cie.addressSize, 4);
  assert.equal(d.cie.segmentSize, 0);
  assert.equal(d.pcBegin, 0x403000);
  assert.equal(d.pcRange, 0x40);
  // in .eh_frame a CIE id 0xffffffff is an FDE pointer, and version 4 is not allowed
  const e = bytes().entry((x) => x.u32(0).u8(4).str('').u8(8).u8(0).uleb(1).sleb(-8).uleb(16));
  assert.match(read(linked(e)).problems[0].message, /unsupported CIE version 4/);
});

test('debug_frame: 64-bit DWARF (length escape, 64-bit CIE id and pointer); segment selectors', () => {
  const b = bytes();
  b.entry64((c) => c.u64(0xffffffffffffffffn).u8(4).str('').u8(8).u8(2).uleb(1).sleb(-8).uleb(16).u8(DW_CFA.def_cfa).uleb(7).uleb(8));
  b.entry64((f) => f.u64(0).u16(0x77).u64(0x500000).u64(0x10).u8(DW_CFA.advance_loc | 1));
  const cfi = read(linked(b, '.debug_frame'), 'debug_frame', true);
  assert.equal(cfi.fdes.length, 1);
  const f = cfi.fdes[0];
  assert.equal(f.cie.is64, true);
  assert.equal(f.cie.segmentSize, 2);
  assert.equal(f.offset, 30); // 4 + 8 + CIE body: id 8, version 1, "" 1, sizes 2, aligns 2, RA 1, def_cfa 3
  assert.equal(f.pcBegin, 0x500000);
  assert.equal(f.pcRange, 0x10);
  assert.equal(f.insnEnd - f.insnStart, 1);
});

test('relocatable eh_frame: pc_begin is the relocation target (section, symbol value + addend)', () => {
  const eh = cieZR(bytes());
  const f1 = eh.length;
  eh.entry((f) => f.u32(f1 + 4).u32(0).u32(0x20).uleb(0));
  const f2 = eh.length;
  eh.entry((f) => f.u32(f2 + 4).u32(0).u32(0x08).uleb(0));
  const spec: ElfSpec = {
    type: 1,
    sections: [
      { name: '.text', flags: 6, data: new Uint8Array(0x40) },
      { name: '.text.unlikely', flags: 6, data: new Uint8Array(0x40) },
      { name: '.eh_frame', data: eh.bytes() },
    ],
    symbols: [
      { name: '', section: 0, value: 0 },
      { name: 'cold_fn', section: 1, value: 0x10, type: 2, global: true },
    ],
    // R_X86_64_PC32 = 2
    relas: [{ target: 2, entries: [
      { offset: f1 + 8, type: 2, sym: 1, addend: 0x18 },
      { offset: f2 + 8, type: 2, sym: 2, addend: 4 },
    ] }],
  };
  const elf = new ElfFile(elf64(spec));
  const cfi = read(elf, 'eh_frame', true);
  assert.equal(cfi.relocatable, true);
  assert.equal(cfi.fdes.length, 2);
  assert.equal(cfi.fdes[0].pcSec, 1);
  assert.equal(cfi.fdes[0].pcBegin, 0x18);
  assert.equal(cfi.fdes[0].pcRange, 0x20);
  assert.equal(elf.sections[cfi.fdes[1].pcSec].name, '.text.unlikely');
  assert.equal(cfi.fdes[1].pcBegin, 0x14);
});

test('relocatable debug_frame: relocated CIE pointer and pc_begin', () => {
  const df = bytes();
  df.entry((c) => c.u32(0xffffffff).u8(1).str('').uleb(1).sleb(-8).u8(16));
  const c2 = df.length; // second CIE: the FDE names it only through the relocation addend
  df.entry((c) => c.u32(0xffffffff).u8(3).str('').uleb(1).sleb(-8).uleb(16));
  const f = df.length;
  df.entry((e) => e.u32(0).u64(0).u64(0x33));
  const elf = new ElfFile(elf64({
    type: 1,
    sections: [
      { name: '.text', flags: 6, data: new Uint8Array(0x80) },
      { name: '.debug_frame', flags: 0, data: df.bytes() },
    ],
    symbols: [{ name: '', section: 0, value: 0 }, { name: '', section: 1, value: 0 }],
    // R_X86_64_32 = 10 (CIE pointer), R_X86_64_64 = 1 (pc_begin)
    relas: [{ target: 1, entries: [
      { offset: f + 4, type: 10, sym: 2, addend: c2 },
      { offset: f + 8, type: 1, sym: 1, addend: 0x40 },
    ] }],
  }));
  const cfi = read(elf, 'debug_frame', true);
  assert.equal(cfi.fdes.length, 1);
  assert.equal(cfi.fdes[0].cie.offset, c2);
  assert.equal(cfi.fdes[0].cie.version, 3);
  assert.equal(cfi.fdes[0].pcSec, 1);
  assert.equal(cfi.fdes[0].pcBegin, 0x40);
  assert.equal(cfi.fdes[0].pcRange, 0x33);
});

test('readCfi: no section gives undefined', () => {
  assert.equal(readCfi(linked(bytes()), 'debug_frame'), undefined);
});

test('hostile input: random and mutated sections only ever give FormatError or problems, quickly', () => {
  // a valid base section to mutate
  const base = cieZR(bytes());
  for (let i = 0; i < 4; i++) {
    const f = base.length;
    base.entry((e) => e.u32(f + 4).u32(0x100 * i).u32(0x40).uleb(0)
      .u8(DW_CFA.advance_loc | 1).u8(DW_CFA.def_cfa_offset).uleb(16).u8(DW_CFA.remember_state)
      .u8(DW_CFA.advance_loc1, 4).u8(DW_CFA.restore_state));
  }
  const good = base.bytes();
  let seed = 12345;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed >>> 8;
  };
  const start = Date.now();
  for (let round = 0; round < 400; round++) {
    const data = round % 4 === 0 ? Uint8Array.from({ length: 8 + (rnd() % 120) }, () => rnd() & 0xff) : Uint8Array.from(good);
    if (round % 4 !== 0) for (let k = 0; k < 1 + (round % 5); k++) data[rnd() % data.length] = rnd() & 0xff;
    const elf = linked(bytes().raw(data));
    for (const strict of [false, true]) {
      try {
        const cfi = read(elf, 'eh_frame', strict);
        for (const p of cfi.problems) assert.equal(typeof p.message, 'string');
      } catch (e) {
        assert.ok(e instanceof FormatError, `round ${round}: ${String(e)}`);
      }
    }
  }
  assert.ok(Date.now() - start < 5000);
});

test('FdeLookup: the FDE covering a location, per section', () => {
  const eh = cieZR(bytes(), DW_EH_PE.udata4);
  const add = (start: number, range: number): number => {
    const off = eh.length;
    eh.entry((f) => f.u32(off + 4).u32(start).u32(range).uleb(0));
    return off;
  };
  const a = add(0x100, 0x10);
  const b = add(0x80, 0x20);
  const c = add(0x110, 0x8);
  const cfi = read(linked(eh), 'eh_frame', true);
  const look = new FdeLookup(cfi);
  assert.equal(look.find(-1, 0x7f), undefined);
  assert.equal(look.find(-1, 0x80)?.offset, b);
  assert.equal(look.find(-1, 0x9f)?.offset, b);
  assert.equal(look.find(-1, 0xa0), undefined);
  assert.equal(look.find(-1, 0x10f)?.offset, a);
  assert.equal(look.find(-1, 0x110)?.offset, c);
  assert.equal(look.find(-1, 0x118), undefined);
  assert.equal(look.find(1, 0x100), undefined);
});

test('debug_frame evaluation: version 4 with 4-byte addresses, set_loc reads address_size bytes', () => {
  const b = bytes();
  b.entry((c) => c.u32(0xffffffff).u8(4).str('').u8(4).u8(0).uleb(1).sleb(-4).uleb(8).u8(DW_CFA.def_cfa).uleb(4).uleb(4));
  b.entry((f) => f.u32(0).u32(0x8000).u32(0x20).u8(DW_CFA.set_loc).u32(0x8010).u8(DW_CFA.def_cfa_offset).uleb(12));
  const cfi = read(linked(b, '.debug_frame'), 'debug_frame', true);
  const ev = new CfaEvaluator(cfi);
  ev.begin(cfi.fdes[0]);
  const seen: string[] = [];
  while (ev.next()) seen.push(`${ev.rowStart.toString(16)}-${ev.rowEnd.toString(16)} r${ev.cfaReg}+${ev.cfaOffset}`);
  assert.deepEqual(seen, ['8000-8010 r4+4', '8010-8020 r4+12']);
});
