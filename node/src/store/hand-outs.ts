/**
 * When this node, as owner, last handed each message out in a retrieve answer (issue 16, item 2):
 * its acknowledgement may arrive after expiresAt, and the message must not be NACKed meanwhile.
 * Bounded: past the cap the oldest records go first, and a forgotten record only means that
 * message gets no grace.
 */
const MAX_RECORDS = 100_000;

export class HandOuts {
  private at = new Map<string, number>();

  record(mailbox: string, ids: readonly string[], now: number): void {
    for (const id of ids) {
      const key = `${mailbox}/${id}`;
      this.at.delete(key);
      this.at.set(key, now);
    }
    while (this.at.size > MAX_RECORDS) this.at.delete(this.at.keys().next().value as string);
  }

  /** The last hand-out of the message, or null. */
  last(mailbox: string, id: string): number | null {
    return this.at.get(`${mailbox}/${id}`) ?? null;
  }

  forget(mailbox: string, id: string): void {
    this.at.delete(`${mailbox}/${id}`);
  }
}
