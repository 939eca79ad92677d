/* SPDX-License-Identifier: Apache-2.0 */
/* Entry points of `tocsin check rules` and `tocsin test rules` (wired in cli/main.c). */
#ifndef TOCSIN_CLI_RULES_CLI_H
#define TOCSIN_CLI_RULES_CLI_H

#include <stdbool.h>

/*
 * tocsin check rules [--ignore-unknown-fields] [--validation-scheme=utf8|legacy] FILE...
 * argv[0] is the subcommand name ("rules"). Prints like promtool; returns the exit status
 * (0 valid, 1 invalid, 2 usage).
 */
int cli_check_rules(int argc, char **argv);

/*
 * tocsin test rules [--run REGEX]... [--ignore-unknown-fields] [--debug] FILE...
 * Runs promtool-format rule unit tests. Returns the exit status (0 pass, 1 fail, 2 usage).
 */
int cli_test_rules(int argc, char **argv);

/* Adds the PROMQL_PARSE_* bits for a comma-separated --enable-feature list; -1 on an unknown
 * name. */
int rules_cli_features(const char *list, unsigned *flags);

#endif
