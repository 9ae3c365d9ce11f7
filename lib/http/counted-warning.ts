/**
 * A warning about something that can happen thousands of times a second (a shed webhook, a
 * sender refused for trickling): counted, and logged at most once a second with the count.
 * Logging or recording each one would itself be a flood, exactly when there is too much.
 */
export class CountedWarning {
  private sinceLog = 0;

  constructor(private readonly message: (count: number) => string) {}

  add(): void {
    if (this.sinceLog++ > 0) return;
    setTimeout(() => {
      console.warn(this.message(this.sinceLog));
      this.sinceLog = 0;
    }, 1000).unref();
  }
}
