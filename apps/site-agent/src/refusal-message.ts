/**
 * What the operator of a site agent reads when the coordinator turns the site away for good
 * (its token revoked or replaced, a protocol version it does not speak): the cause, in the
 * coordinator's words, and what to do about it. Pure, for the agent's log and the CLI's exit.
 */
export function refusalMessage(code: string, reason: string): string {
  if (code === 'UNAUTHORIZED') {
    const what = /revoked/i.test(reason) ? "coordinator revoked this site's token" : "coordinator no longer accepts this site's token";
    // The handshake refusal already says to ask for a new token; the in-session one does not.
    const advice = /new token/i.test(reason) ? '' : "; ask the coordinator's admin for a new token";
    return `${what}: ${reason}${advice}`;
  }
  return `coordinator refused this site (${code}): ${reason}`;
}

/** A Socket.IO refusal's message without the `CODE: ` prefix the coordinator puts before its reason. */
export function refusalReason(message: string, code: string): string {
  return message.startsWith(`${code}: `) ? message.slice(code.length + 2) : message;
}
