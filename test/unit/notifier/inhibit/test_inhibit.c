/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for inhibition: equal labels, resolved sources, two-sided matches. */
#include <string.h>

#include "common/err.h"
#include "common/labels.h"
#include "notifier/config/config.h"
#include "notifier/inhibit/inhibit.h"
#include "test/harness.h"

#define NOW 1795000000000LL

static const char *yaml = "route: {receiver: r}\n"
                          "receivers: [{name: r}]\n"
                          "inhibit_rules:\n"
                          "- source_matchers: [severity=\"critical\"]\n"
                          "  target_matchers: [severity=~\"warning|critical\"]\n"
                          "  equal: [instance, cluster]\n";

static struct labels *L(const char *sev, const char *inst)
{
    struct label items[] = {{"alertname", "A"}, {"severity", sev}, {"instance", inst}};
    return labels_new(items, 3);
}

static void test_equal_and_resolution(void)
{
    struct am_config *c = NULL;
    struct inhibitor *ih;
    struct labels *src = L("critical", "i1"), *t1 = L("warning", "i1"), *t2 = L("warning", "i2");
    uint64_t by = 0;
    CHECK_INT(config_parse(yaml, strlen(yaml), NULL, &c, NULL), 0);
    ih = inhibitor_new(c);
    CHECK(!inhibitor_mutes(ih, t1, NOW, &by));
    inhibitor_put(ih, 42, src, NOW + 60000);
    inhibitor_put(ih, 7, t1, 0); /* a target is not a source */
    CHECK(inhibitor_mutes(ih, t1, NOW, &by));
    CHECK_INT(by, 42);
    /* instance differs; cluster absent on both sides counts as equal. */
    CHECK(!inhibitor_mutes(ih, t2, NOW, NULL));
    /* A resolved source no longer inhibits, and GC drops it. */
    CHECK(!inhibitor_mutes(ih, t1, NOW + 60000, NULL));
    CHECK_INT(inhibitor_gc(ih, NOW + 60000), 1);
    /* Re-firing source inhibits again; removing it stops that. */
    inhibitor_put(ih, 42, src, 0);
    CHECK(inhibitor_mutes(ih, t1, NOW, NULL));
    inhibitor_remove(ih, 42);
    CHECK(!inhibitor_mutes(ih, t1, NOW, NULL));
    inhibitor_free(ih);
    config_free(c);
    labels_free(src);
    labels_free(t1);
    labels_free(t2);
}

static void test_two_sided(void)
{
    struct am_config *c = NULL;
    struct inhibitor *ih;
    struct labels *a = L("critical", "i1"), *b = L("critical", "i1");
    struct label other[] = {{"alertname", "B"}, {"severity", "critical"}, {"instance", "i1"}};
    struct labels *bb = labels_new(other, 3);
    CHECK_INT(config_parse(yaml, strlen(yaml), NULL, &c, NULL), 0);
    ih = inhibitor_new(c);
    inhibitor_put(ih, 1, a, 0);
    /* b matches both sides; the only source (a) also matches both sides: not muted. */
    CHECK(!inhibitor_mutes(ih, b, NOW, NULL));
    CHECK(!inhibitor_mutes(ih, bb, NOW, NULL));
    inhibitor_free(ih);
    config_free(c);
    labels_free(a);
    labels_free(b);
    labels_free(bb);
}

static const struct test_case tests[] = {
    TEST(test_equal_and_resolution),
    TEST(test_two_sided),
    {0},
};
TEST_MAIN(tests)
