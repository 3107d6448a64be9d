/**
 * Outcomes of paths meeting, by (arriving state id, recorded state id): the frames agreed, and
 * `meetRestores` either ended the path or weakened it to the state `result` (-1: not known yet).
 * Both depend on the two states' contents only, so any entry is as good as recomputing; the table
 * is direct-mapped and a colliding entry replaces the old one.
 */
const SLOTS_LOG2 = 16;

export class MeetMemo {
  private readonly arriving = new Int32Array(1 << SLOTS_LOG2).fill(-1);
  private readonly recorded = new Int32Array(1 << SLOTS_LOG2).fill(-1);
  readonly weaker = new Uint8Array(1 << SLOTS_LOG2);
  readonly result = new Int32Array(1 << SLOTS_LOG2).fill(-1);

  slot(arriving: number, recorded: number): number {
    const h = Math.imul(arriving, 0x9e3779b1) ^ Math.imul(recorded + 0x7f4a7c15, 0x85ebca6b);
    return (h ^ (h >>> 16)) & ((1 << SLOTS_LOG2) - 1);
  }

  has(slot: number, arriving: number, recorded: number): boolean {
    return this.arriving[slot] === arriving && this.recorded[slot] === recorded;
  }

  store(slot: number, arriving: number, recorded: number, weaker: boolean, result: number): void {
    this.arriving[slot] = arriving;
    this.recorded[slot] = recorded;
    this.weaker[slot] = weaker ? 1 : 0;
    this.result[slot] = result;
  }
}
