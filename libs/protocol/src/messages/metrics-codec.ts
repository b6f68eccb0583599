import type { ProtocolLimits } from '../limits';
import { checkMetrics } from './field-checks';
import type { Metrics } from './types';

/**
 * Metrics maps (and numeric option maps) both ways. The wire form is protobufjs's plain
 * object for `map<string, double>`; both directions apply the same checks (names, finite
 * values, count) and return a fresh object, so a decoded map never aliases wire state.
 */
export function metricsToWire(metrics: Metrics, field: string, limits: ProtocolLimits): { [name: string]: number } {
  return checkMetrics(metrics, field, limits);
}

export function metricsFromWire(
  wire: { [name: string]: number } | null | undefined,
  field: string,
  limits: ProtocolLimits,
): Metrics {
  return checkMetrics(wire, field, limits);
}
