// A progress bar on stderr: redrawn in place on a terminal, one line per finished task otherwise.
export class Progress {
  private done = 0;
  private label = "";
  private readonly t0 = Date.now();
  private readonly tty = Boolean(process.stderr.isTTY);
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly total: number) {
    if (this.tty) this.timer = setInterval(() => this.draw(), 500).unref();
  }

  /** What is running now (workload · system · phase). */
  status(label: string): void {
    this.label = label;
    this.draw();
  }

  /** One task finished; `line` is what a non-terminal log shows for it. */
  tick(line: string): void {
    this.done++;
    if (!this.tty) process.stderr.write(`[${this.done}/${this.total}] ${line}\n`);
    this.draw();
  }

  /** Writes a line above the bar. */
  log(line: string): void {
    if (this.tty) process.stderr.write("\r\x1b[2K");
    process.stderr.write(line + "\n");
    this.draw();
  }

  finish(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.tty) process.stderr.write("\r\x1b[2K");
    process.stderr.write(`bench: ${this.done}/${this.total} tasks in ${this.elapsed()}\n`);
  }

  private elapsed(): string {
    const s = Math.round((Date.now() - this.t0) / 1000);
    return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  }

  private draw(): void {
    if (!this.tty) return;
    const width = 24;
    const filled = Math.round((width * this.done) / Math.max(1, this.total));
    const bar = "█".repeat(filled) + "░".repeat(width - filled);
    const cols = process.stderr.columns || 100;
    const line = `${bar} ${this.done}/${this.total} ${this.elapsed()}  ${this.label}`;
    process.stderr.write("\r\x1b[2K" + line.slice(0, cols - 1));
  }
}
