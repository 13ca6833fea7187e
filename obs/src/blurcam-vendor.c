/*
 * A minimal client of obs-websocket's plugin API. obs-websocket publishes its own proc handler through
 * OBS's global one ("obs_websocket_api_get_ph"); vendors and their requests are registered on it. The
 * callback layout below is the one obs-websocket 5.x copies from "vendor_request_register".
 */
#include "blurcam-vendor.h"

#include "blurcam-log.h"
#include "blurcam-source.h"

#include <callback/calldata.h>
#include <callback/proc.h>
#include <obs.h>

struct blurcam_vendor_request_callback {
	void (*callback)(obs_data_t *request_data, obs_data_t *response_data, void *private_data);
	void *private_data;
};

static void blurcam_vendor_get_stats(obs_data_t *request_data, obs_data_t *response_data, void *private_data)
{
	UNUSED_PARAMETER(private_data);
	const char *source_name = obs_data_get_string(request_data, "sourceName");
	bool reset = obs_data_get_bool(request_data, "reset");
	blurcam_source_write_stats(response_data, source_name && *source_name ? source_name : NULL, reset);
}

static proc_handler_t *blurcam_websocket_proc_handler(void)
{
	calldata_t data = {0};
	proc_handler_t *handler = NULL;
	if (proc_handler_call(obs_get_proc_handler(), "obs_websocket_api_get_ph", &data))
		handler = calldata_ptr(&data, "ph");
	calldata_free(&data);
	return handler;
}

bool blurcam_vendor_register(void)
{
	proc_handler_t *handler = blurcam_websocket_proc_handler();
	if (!handler) {
		blurcam_log(LOG_INFO, "obs-websocket not found: the GetStats request is not available");
		return false;
	}

	/* calldata_free does not reset the struct: each call gets its own. */
	calldata_t vendor_data = {0};
	calldata_set_string(&vendor_data, "name", BLURCAM_VENDOR_NAME);
	proc_handler_call(handler, "vendor_register", &vendor_data);
	void *vendor = calldata_ptr(&vendor_data, "vendor");
	calldata_free(&vendor_data);
	if (!vendor) {
		blurcam_log(LOG_WARNING, "obs-websocket refused the '%s' vendor", BLURCAM_VENDOR_NAME);
		return false;
	}

	/* obs-websocket copies the callback struct, so a local one is enough. */
	struct blurcam_vendor_request_callback callback = {blurcam_vendor_get_stats, NULL};
	calldata_t request_data = {0};
	calldata_set_ptr(&request_data, "vendor", vendor);
	calldata_set_string(&request_data, "type", BLURCAM_VENDOR_REQUEST_GET_STATS);
	calldata_set_ptr(&request_data, "callback", &callback);
	proc_handler_call(handler, "vendor_request_register", &request_data);
	bool registered = calldata_bool(&request_data, "success");
	calldata_free(&request_data);
	if (!registered)
		blurcam_log(LOG_WARNING, "obs-websocket refused the %s request", BLURCAM_VENDOR_REQUEST_GET_STATS);
	return registered;
}
