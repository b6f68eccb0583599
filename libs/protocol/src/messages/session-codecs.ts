import { fedsynth } from '../generated/fedsynth';
import { errorCodeFromWire, errorCodeToWire } from '../errors/error-code-map';
import { isProtocolErrorCode, ProtocolError } from '../errors/protocol-error';
import type { ProtocolLimits } from '../limits';
import type { BodyCodec } from './body-codec';
import { checkFinite, checkId, checkList, checkText, checkUint32 } from './field-checks';
import { dtypeCodec, siteStateCodec } from './enum-codecs';
import type { Ack, DType, ErrorReply, Heartbeat, Hello, Welcome } from './types';

const pb = fedsynth.v1;

/** There are two dtypes; a longer list is noise (or an attack on the decoder). */
const MAX_DTYPES = 8;
/** Feature names ("secagg-v1"); a long list is noise. */
const MAX_CAPABILITIES = 64;

function checkCapabilities(list: readonly string[] | null | undefined, field: string, limits: ProtocolLimits): string[] {
  return checkList(list, field, MAX_CAPABILITIES, (c, f) => checkId(c, f, limits));
}

function dtypesToWire(dtypes: readonly DType[] | undefined, field: string): number[] {
  return checkList(dtypes, field, MAX_DTYPES, (d, f) => dtypeCodec.toWire(d, f));
}

function dtypesFromWire(dtypes: readonly number[] | null | undefined, field: string): DType[] {
  return checkList(dtypes, field, MAX_DTYPES, (d, f) => dtypeCodec.fromWire(d, f));
}

export const helloCodec: BodyCodec<'hello'> = {
  encode(v, ctx, field) {
    const head = pb.Hello.encode({
      siteId: checkId(v.siteId, `${field}.siteId`, ctx.limits),
      agentVersion: checkText(v.agentVersion, `${field}.agentVersion`, ctx.limits),
      acceptedDtypes: dtypesToWire(v.acceptedDtypes, `${field}.acceptedDtypes`),
      capabilities: checkCapabilities(v.capabilities, `${field}.capabilities`, ctx.limits),
    }).finish();
    return { head };
  },
  decode(w, ctx, field): Hello {
    const hello: Hello = {
      siteId: checkId(w.siteId, `${field}.siteId`, ctx.limits),
      agentVersion: checkText(w.agentVersion, `${field}.agentVersion`, ctx.limits),
      acceptedDtypes: dtypesFromWire(w.acceptedDtypes, `${field}.acceptedDtypes`),
    };
    // Absent and empty are the same on the wire: no optional features.
    const capabilities = checkCapabilities(w.capabilities, `${field}.capabilities`, ctx.limits);
    if (capabilities.length > 0) hello.capabilities = capabilities;
    return hello;
  },
};

function checkWelcomeNumbers(v: fedsynth.v1.Welcome.$Properties | Welcome, field: string) {
  return {
    heartbeatIntervalMs: checkUint32(v.heartbeatIntervalMs, `${field}.heartbeatIntervalMs`),
    maxMessageBytes: checkUint32(v.maxMessageBytes, `${field}.maxMessageBytes`, { min: 1 }),
    maxChunkBytes: checkUint32(v.maxChunkBytes, `${field}.maxChunkBytes`, { min: 1 }),
  };
}

export const welcomeCodec: BodyCodec<'welcome'> = {
  encode(v, ctx, field) {
    const head = pb.Welcome.encode({
      sessionId: checkId(v.sessionId, `${field}.sessionId`, ctx.limits),
      coordinatorVersion: checkText(v.coordinatorVersion, `${field}.coordinatorVersion`, ctx.limits),
      ...checkWelcomeNumbers(v, field),
      acceptedDtypes: dtypesToWire(v.acceptedDtypes, `${field}.acceptedDtypes`),
    }).finish();
    return { head };
  },
  decode(w, ctx, field): Welcome {
    return {
      sessionId: checkId(w.sessionId, `${field}.sessionId`, ctx.limits),
      coordinatorVersion: checkText(w.coordinatorVersion, `${field}.coordinatorVersion`, ctx.limits),
      ...checkWelcomeNumbers(w, field),
      acceptedDtypes: dtypesFromWire(w.acceptedDtypes, `${field}.acceptedDtypes`),
    };
  },
};

function checkHeartbeatFields(v: fedsynth.v1.Heartbeat.$Properties | Heartbeat, field: string) {
  return {
    sentAtUnixMs: checkFinite(v.sentAtUnixMs, `${field}.sentAtUnixMs`, { min: 0 }),
    progress: checkFinite(v.progress, `${field}.progress`, { min: 0, max: 1 }),
  };
}

export const heartbeatCodec: BodyCodec<'heartbeat'> = {
  encode(v, ctx, field) {
    const head = pb.Heartbeat.encode({
      ...checkHeartbeatFields(v, field),
      state: siteStateCodec.toWire(v.state, `${field}.state`),
      runId: checkId(v.runId, `${field}.runId`, ctx.limits, { required: false }),
      round: v.round === undefined ? null : checkUint32(v.round, `${field}.round`),
    }).finish();
    return { head };
  },
  decode(w, ctx, field): Heartbeat {
    const heartbeat: Heartbeat = {
      ...checkHeartbeatFields(w, field),
      state: siteStateCodec.fromWire(w.state, `${field}.state`),
      runId: checkId(w.runId, `${field}.runId`, ctx.limits, { required: false }),
    };
    if (w.round !== undefined && w.round !== null) heartbeat.round = checkUint32(w.round, `${field}.round`);
    return heartbeat;
  },
};

export const ackCodec: BodyCodec<'ack'> = {
  encode() {
    return { head: new Uint8Array(0) };
  },
  decode(): Ack {
    return {};
  },
};

export const errorCodec: BodyCodec<'error'> = {
  encode(v, ctx, field) {
    if (!isProtocolErrorCode(v.code)) {
      throw new ProtocolError('INVALID_VALUE', `unknown error code ${JSON.stringify(v.code)}`, { field: `${field}.code` });
    }
    const head = pb.Error.encode({
      code: errorCodeToWire(v.code),
      reason: checkText(v.reason, `${field}.reason`, ctx.limits),
    }).finish();
    return { head };
  },
  decode(w, ctx, field): ErrorReply {
    return {
      // Unknown or missing codes become UNKNOWN: refusing an error reply would lose it.
      code: errorCodeFromWire(w.code ?? 0),
      reason: checkText(w.reason, `${field}.reason`, ctx.limits),
    };
  },
};
