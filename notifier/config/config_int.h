/* SPDX-License-Identifier: Apache-2.0 */
/* Internals shared by notifier/config files: object descriptors and the integration table. */
#ifndef TOCSIN_NOTIFIER_CONFIG_INT_H
#define TOCSIN_NOTIFIER_CONFIG_INT_H

#include "notifier/config/config.h"
#include "notifier/config/fields.h"

extern const struct cf_desc am_desc_http_config;
extern const struct cf_desc am_desc_tls_config;
extern const struct cf_desc am_desc_global;

struct am_kind_info {
    const char *name; /* "webhook" */
    const char *key;  /* "webhook_configs" */
    const struct cf_desc *desc;
    size_t http_off; /* offset of the http_config pointer */
};

extern const struct am_kind_info am_kinds[AM_INTEGRATION_KINDS];

/* The global-section conflicts Alertmanager checks after decoding ("at most one of ..."). */
int am_global_check(const struct am_global *g, const struct yamlx_node *n, struct err *e);

/*
 * Applies Alertmanager's global inheritance and checks to integration cfg of kind k (after
 * parsing, before use). n is the config's node for error positions.
 */
int am_integration_resolve(enum am_integration_kind k, void *cfg, const struct am_global *g,
                           const struct yamlx_node *n, struct err *e);

#endif
