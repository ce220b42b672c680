/**
 * Work a request starts but does not wait for: the e-mails of a password reset, a change of
 * address and the "someone tried to use your address" notices. An SMTP conversation takes up to a
 * second, and the answers of those forms must not take longer for an address with an account than
 * for one without (that would tell which addresses have accounts). So the request answers at once
 * and the work runs afterwards in the same process.
 *
 * A job that fails is reported to `onError` (the server logs it at error level); nothing is retried
 * (a member who got no mail asks again). `idle()` resolves when every job started so far has ended:
 * the server waits for it before it stops, so a shutdown does not drop a mail half sent.
 *
 * @example
 * const later = new AfterAnswer((err) => logger.error({ err }, 'after the answer: a job failed'));
 * later.run(() => mailer.send(message).then(() => undefined));
 * return c.html(page); // answered before the mail leaves
 */
export class AfterAnswer {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly onError: (err: unknown) => void) {}

  /** Starts `job` on a later turn of the event loop, after the current request's own work. */
  run(job: () => Promise<void>): void {
    const done: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(job)
      .catch((err: unknown) => this.onError(err))
      .finally(() => { this.running.delete(done); });
    this.running.add(done);
  }

  /** Jobs started and not yet ended. */
  get pending(): number {
    return this.running.size;
  }

  /** Resolves once no job is running (jobs started meanwhile included). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
