import { type Checkpoint, writeCheckpoint } from './file.js';

export interface CheckpointKeeperOptions {
  path: string;
  /** At most one write per interval while the run goes on. Default 1000 ms. */
  intervalMs?: number;
  /** Builds the checkpoint from the run's state, synchronously, at the moment of the write. */
  capture: () => Checkpoint;
  /**
   * Resolves once everything the checkpoint points at is on disk (the rejects file up to the
   * size captured), so a checkpoint never promises bytes a crash could still lose.
   */
  beforeWrite?: () => Promise<void>;
  /** A periodic write failed: the caller decides (pxstream stops the run). */
  onError?: (error: unknown) => void;
  /** A checkpoint is on disk (renamed into place): what it promises now holds after a crash. */
  afterWrite?: (checkpoint: Checkpoint) => void;
}

/**
 * Keeps a checkpoint file current during a run: written about once a second, one write at a
 * time (a tick that finds a write under way is skipped), and once more on demand at the end.
 */
export class CheckpointKeeper {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private readonly options: CheckpointKeeperOptions;

  constructor(options: CheckpointKeeperOptions) {
    this.options = options;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.writing) return;
      this.write().catch((error: unknown) => this.options.onError?.(error));
    }, this.options.intervalMs ?? 1000);
    this.timer.unref();
  }

  /** Writes the checkpoint now (after any write under way); rejects if the write fails. */
  async write(): Promise<void> {
    while (this.writing) await this.writing.catch(() => {});
    const checkpoint = this.options.capture();
    const run = (async () => {
      await this.options.beforeWrite?.();
      await writeCheckpoint(this.options.path, checkpoint);
      this.options.afterWrite?.(checkpoint);
    })();
    this.writing = run;
    try {
      await run;
    } finally {
      this.writing = undefined;
    }
  }

  /** Stops the periodic writes and waits for one under way. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.writing?.catch(() => {});
  }
}
