/* What the two files of the test program share. */
#pragma once

/* Prints "ok NAME" or "FAIL NAME: details" and counts the result. */
void blurcam_check(int condition, const char *name, const char *format, ...);

void blurcam_test_chosen_ipc_folders(void);
void blurcam_test_probe_never_blocks(void);
void blurcam_test_link_keys(void);
void blurcam_test_curve_link(void);

int blurcam_cli_prepare_ipc(const char *path);
int blurcam_cli_link_keys(const char *dir);
int blurcam_cli_never_accept(const char *path);
