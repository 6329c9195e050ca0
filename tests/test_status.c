/* test_status.c -- src/status.c: every status has its own message. */
#include <criterion/criterion.h>

#include "../src/dense.h"

Test(status, strerror_distinct_and_total)
{
    for (int a = EXPM_OK; a <= EXPM_ELAPACK; a++) {
        cr_assert_not_null(expm_strerror((expm_status)a));
        for (int b = a + 1; b <= EXPM_ELAPACK; b++)
            cr_expect_str_neq(expm_strerror((expm_status)a), expm_strerror((expm_status)b));
    }
    cr_expect_str_eq(expm_strerror((expm_status)99), "unknown status");
}

Test(status, info_message_truncates_safely)
{
    expm_info_t info;
    expm_info_clear(&info);
    char big[1000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    expm_info_msg(&info, "%s", big);
    cr_expect_eq(strlen(info.message), sizeof info.message - 1);
    expm_info_msg(NULL, "ignored");
}
