/**
 * The driver's side of barrier stages: collects each task's barrier()/allGather() call and,
 * once every task of the stage attempt has made its n-th call, answers them all with the
 * messages in partition order.
 */
export interface BarrierCall {
  stageId: number;
  stageAttempt: number;
  partition: number;
  numTasks: number;
  message: string;
  reply: (messages: string[]) => void;
}

export class BarrierCoordinator {
  /** Per stage attempt: how many calls each partition made, and the calls of each round. */
  private readonly rounds = new Map<string, { counts: Map<number, number>; calls: Map<number, BarrierCall[]> }>();

  call(c: BarrierCall): void {
    const key = `${c.stageId}:${c.stageAttempt}`;
    let st = this.rounds.get(key);
    if (!st) {
      st = { counts: new Map(), calls: new Map() };
      this.rounds.set(key, st);
    }
    const round = st.counts.get(c.partition) ?? 0;
    st.counts.set(c.partition, round + 1);
    const calls = st.calls.get(round) ?? [];
    calls.push(c);
    st.calls.set(round, calls);
    if (calls.length === c.numTasks) {
      st.calls.delete(round);
      const messages = [...calls].sort((a, b) => a.partition - b.partition).map((x) => x.message);
      for (const x of calls) x.reply(messages);
    }
  }

  /** Forgets a finished or failed stage attempt. */
  clear(stageId: number, stageAttempt: number): void {
    this.rounds.delete(`${stageId}:${stageAttempt}`);
  }
}
