#include "blurcam-frame-protocol.h"
#include "blurcam-log.h"
#include "blurcam-source.h"
#include "blurcam-vendor.h"

#include <obs-module.h>

OBS_DECLARE_MODULE()
OBS_MODULE_USE_DEFAULT_LOCALE("blurcam-obs", "en-US")

MODULE_EXPORT const char *obs_module_description(void)
{
	return "blurcam: a camera with the background blurred or replaced, fed by the blurcam command";
}

bool obs_module_load(void)
{
	obs_register_source(&blurcam_source_info);
	blurcam_log(LOG_INFO, "plugin loaded (version %s, frame protocol %u)", BLURCAM_PLUGIN_VERSION,
		    BLURCAM_FRAME_VERSION);
	return true;
}

/*
 * obs-websocket may load after this module, so the vendor is registered once all modules are loaded.
 * It is never unregistered: at unload obs-websocket may already be gone, and it drops its vendors itself.
 */
void obs_module_post_load(void)
{
	blurcam_vendor_register();
}
