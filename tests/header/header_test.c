/* The public header compiles on its own under -std=c11 -pedantic -Werror. */
#include "vocx.h"

int vocx_header_test_c(void);
int vocx_header_test_c(void)
{
    vocx_ingest_options o = VOCX_INGEST_OPTIONS_INIT;
    vocx_comment_filter f = VOCX_COMMENT_FILTER_INIT;
    return (int)o.version + (int)f.version + VOCX_VERSION_NUMBER;
}
