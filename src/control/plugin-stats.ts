/**
 * The OBS plugin's counters, read through obs-websocket: the plugin registers the vendor "blurcam" with the
 * request "GetStats" (obs/src/blurcam-vendor.c), answered from OBS with what the plugin itself measured.
 */
import type { ObsConnection } from './obs-connection.js';

export type PluginSourceState = 'waiting' | 'receiving' | 'not_running' | 'endpoint_error';

export interface PluginSourceStats {
  /** The OBS source (input) name. */
  name: string;
  endpoint: string;
  /** waiting: listening, no frame yet; not_running: no frame for a second (the placeholder shows). */
  state: PluginSourceState;
  /** Valid frames received, and handed to OBS. */
  received: number;
  shown: number;
  /** Valid frames the plugin replaced by a newer one before showing them. */
  dropped: number;
  /** Frames blurcam numbered that never arrived (the sender dropped them). */
  missed: number;
  /** Messages refused by the frame parser, in total and per reason (docs/frame-protocol.md). */
  malformed: number;
  malformedByReason: Record<string, number>;
  /** Peers whose ZeroMQ handshake failed: over tcp, anyone without blurcam's key (docs/bridge.md#security). */
  refused: number;
  /** Sequence number of the last valid frame received; size of the last frame shown. */
  lastSeq: number;
  width: number;
  height: number;
  /** Capture time to the plugin's hand-off to OBS, over the last (up to 4096) frames shown. */
  latencyMs: { samples: number; median: number; p95: number; max: number };
}

export const PLUGIN_VENDOR = 'blurcam';

/** Counters of every blurcam source (or the one named); with `reset` they restart from zero after the read. */
export async function readPluginStats(obs: ObsConnection, options: { sourceName?: string; reset?: boolean } = {}): Promise<PluginSourceStats[]> {
  const requestData = { ...(options.sourceName ? { sourceName: options.sourceName } : {}), reset: options.reset ?? false };
  const { responseData } = await obs.call('CallVendorRequest', { vendorName: PLUGIN_VENDOR, requestType: 'GetStats', requestData });
  return (responseData.sources ?? []) as unknown as PluginSourceStats[];
}
