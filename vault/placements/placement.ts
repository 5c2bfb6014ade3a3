/** Where Vault runs. Each placement gets what it needs as plain values and knows nothing of clusters. */
export interface VaultPlacement {
  start(): Promise<RunningVault>;
}

export interface RunningVault {
  /** e.g. https://127.0.0.1:8200 */
  address: string;
  /** CA of Vault's listener certificate. */
  caPem: string;
  /** Never log it: pass it to `redact` with anything that may contain it. */
  rootToken: string;
  /** A shell command that prints the server's log (`cat FILE`, `docker logs C`, `kubectl logs …`). */
  logCommand: string;
  /** The server's log so far, root token and JWTs redacted. */
  logLines(): Promise<string[]>;
  stop(): Promise<void>;
}
