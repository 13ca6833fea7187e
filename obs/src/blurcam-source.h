#pragma once

#include <obs-module.h>

#include <stdbool.h>

extern struct obs_source_info blurcam_source_info;

/*
 * Adds a "sources" array to `response`: the counters of every blurcam source, or only the one named
 * `source_name` when it is not NULL. With `reset`, the counters start again from zero after being read.
 * Safe to call from any thread (obs-websocket calls it from its own).
 */
void blurcam_source_write_stats(obs_data_t *response, const char *source_name, bool reset);
