/**
 * A progress bar on stderr for runs over many inputs. On a terminal it redraws one line;
 * elsewhere (logs, CI) it prints a line per step so nothing is lost to carriage returns.
 */
export interface Progress {
  tick(label: string): void;
  done(): void;
}

const WIDTH = 24;

export function createProgress(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, total: number): Progress {
  let n = 0;
  const tty = stream.isTTY === true;
  const draw = (label: string): void => {
    const filled = Math.round((n / total) * WIDTH);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${n}/${total}`;
    const room = Math.max(0, (stream.columns ?? 80) - bar.length - 2);
    const shown = label.length > room ? '…' + label.slice(label.length - room + 1) : label;
    stream.write(tty ? `\r\x1b[2K${bar} ${shown}` : `${bar} ${shown}\n`);
  };
  return {
    tick(label) {
      n++;
      draw(label);
    },
    done() {
      if (tty) stream.write('\n');
    },
  };
}
