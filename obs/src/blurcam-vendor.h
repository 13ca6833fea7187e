/*
 * blurcam's obs-websocket vendor ("blurcam"), so tools can read the source counters with obs-websocket's
 * CallVendorRequest: requestType "GetStats", requestData { sourceName?: string, reset?: boolean }.
 */
#pragma once

#include <stdbool.h>

#define BLURCAM_VENDOR_NAME "blurcam"
#define BLURCAM_VENDOR_REQUEST_GET_STATS "GetStats"

/* Call from obs_module_post_load (obs-websocket may load after us). False if obs-websocket is absent. */
bool blurcam_vendor_register(void);
