/** Progress goes to stderr so that stdout stays free for machine-readable output. */
export interface Logger {
  info(message: string): void;
  debug(message: string): void;
}

export function consoleLogger(debug: boolean): Logger {
  return {
    info: (message) => process.stderr.write(`${message}\n`),
    debug: (message) => {
      if (debug) process.stderr.write(`debug: ${message}\n`);
    },
  };
}

export const silentLogger: Logger = { info: () => undefined, debug: () => undefined };
