/*
 * blurcam builds against the libobs headers of an obs-studio source tree, not an OBS build, so nothing
 * generated obsconfig.h, which libobs/obs-config.h includes. These are the build-time settings that OBS's
 * obsconfig.h.in defines and its public headers may name. The plugin uses none of them: paths and versions
 * come from the running OBS (obs_module_file, obs_get_version). OBS_VERSION is not defined here on purpose:
 * OBS 30 and newer declare it as a variable in obsversion.h.
 */
#pragma once

#define OBS_INSTALL_PREFIX ""
#define OBS_DATA_PATH "data"
#define OBS_PLUGIN_PATH "obs-plugins"
#define OBS_PLUGIN_DESTINATION "obs-plugins"

/* Not a release candidate or beta build. */
#define OBS_RELEASE_CANDIDATE 0
#define OBS_BETA 0
