/**
 * Outcomes of paths meeting, by (arriving state id, recorded state id): the frames agreed, and
 * `meetRestores` either ended the path or weakened it to the state `result` (-1: not known yet).
 * Both depend on the two states' contents only, so any entry is as good as recomputing; the table
 * is direct-mapped and a colliding entry replaces the old one. An entry's four words are adjacent,
 * so a lookup reads one cache line. Ids are stored plus one, so that a fresh table (all zero) is empty
 * and its pages never used are never touched.
 */
const SLOTS_LOG2 = 16;
/** words per entry: arriving id + 1 (0: empty), recorded id + 1, weaker (0/1), result id + 1 (0: not known) */
const W = 4;

export class MeetMemo {
  private readonly entries = new Int32Array((1 << SLOTS_LOG2) * W);

  slot(arriving: number, recorded: number): number {
    const h = Math.imul(arriving, 0x9e3779b1) ^ Math.imul(recorded + 0x7f4a7c15, 0x85ebca6b);
    return (h ^ (h >>> 16)) & ((1 << SLOTS_LOG2) - 1);
  }

  has(slot: number, arriving: number, recorded: number): boolean {
    return this.entries[W * slot] === arriving + 1 && this.entries[W * slot + 1] === recorded + 1;
  }

  /** Did the meeting weaken the arriving state? (for an entry `has` found) */
  weaker(slot: number): boolean {
    return this.entries[W * slot + 2] === 1;
  }

  /** The weakened state's id, or -1 while not known. */
  result(slot: number): number {
    return this.entries[W * slot + 3] - 1;
  }

  setResult(slot: number, id: number): void {
    this.entries[W * slot + 3] = id + 1;
  }

  store(slot: number, arriving: number, recorded: number, weaker: boolean, result: number): void {
    const e = this.entries;
    e[W * slot] = arriving + 1;
    e[W * slot + 1] = recorded + 1;
    e[W * slot + 2] = weaker ? 1 : 0;
    e[W * slot + 3] = result + 1;
  }
}
