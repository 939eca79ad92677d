/* SPDX-License-Identifier: Apache-2.0 */
/* `tocsin check config FILE...`: validates Alertmanager/notifier config files like amtool. */
#ifndef TOCSIN_CLI_CHECK_CONFIG_H
#define TOCSIN_CLI_CHECK_CONFIG_H

/*
 * Entry point. argv[0] is the subcommand name ("config"), then options and files:
 *   --print    also print each valid config (secrets as <secret>) to stdout
 * Prints "Checking 'FILE'  SUCCESS" plus a summary, or "  FAILED: file:line:col: message" to
 * stdout per file. Returns 0 when every file is valid, 1 when one is not, 2 on usage errors.
 */
int cli_check_config(int argc, char **argv);

#endif
