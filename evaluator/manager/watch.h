/* SPDX-License-Identifier: Apache-2.0 */
/*
 * File change detection for the rule manager: a fingerprint over a list of paths (device,
 * inode, size and modification time of what each path resolves to), so that edits, new files
 * and Kubernetes ConfigMap `..data` symlink swaps all change it.
 */
#ifndef TOCSIN_EVALUATOR_MANAGER_WATCH_H
#define TOCSIN_EVALUATOR_MANAGER_WATCH_H

#include <stddef.h>
#include <stdint.h>

/*
 * Fingerprint of paths[0..n) in order: the path names, and for each what stat() sees through
 * symlinks (or the error when it cannot be read) plus the symlink target of the path itself.
 * Equal fingerprints mean nothing changed that a reload would see. Any thread.
 */
uint64_t evwatch_fingerprint(const char *const *paths, size_t n);

#endif
