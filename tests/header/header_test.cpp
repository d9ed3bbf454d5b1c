// The public header is usable from C++.
#include "vocx.h"

int vocx_header_test_cxx();
int vocx_header_test_cxx()
{
    vocx_ingest_options o = VOCX_INGEST_OPTIONS_INIT;
    vocx_comment_filter f = VOCX_COMMENT_FILTER_INIT;
    vocx_store *s = nullptr;
    vocx_store_close(s);
    return static_cast<int>(o.version + f.version);
}
