/* The one way the plugin logs: OBS's log with a [blurcam] prefix, so users can grep their OBS log. */
#pragma once

#include <util/base.h>

#define blurcam_log(level, format, ...) blog(level, "[blurcam] " format, ##__VA_ARGS__)
