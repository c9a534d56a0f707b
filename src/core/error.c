#include "config.h"

#include "error.h"

#include <stdarg.h>
#include <stdlib.h>

#include "strbuf.h"
#include "xalloc.h"

static char *vformat(const char *fmt, va_list ap)
{
	strbuf sb = STRBUF_INIT;
	sb_vaddf(&sb, fmt, ap);
	return sb_steal(&sb);
}

tc_status tc_fail(tc_error *err, tc_status status, const char *fmt, ...)
{
	if (!err)
		return status;
	tc_error_clear(err);
	va_list ap;
	va_start(ap, fmt);
	err->message = vformat(fmt, ap);
	va_end(ap);
	err->status = status;
	return status;
}

tc_status tc_fail_at(tc_error *err, tc_status status, const char *path, int line, const char *fmt,
		     ...)
{
	strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	tc_fail(err, status, "%s:%d: %s", path, line, sb_str(&sb));
	sb_free(&sb);
	return status;
}

void tc_hint(tc_error *err, const char *fmt, ...)
{
	if (!err)
		return;
	free(err->hint);
	va_list ap;
	va_start(ap, fmt);
	err->hint = vformat(fmt, ap);
	va_end(ap);
}

void tc_error_prefix(tc_error *err, const char *fmt, ...)
{
	if (!err || !err->message)
		return;
	strbuf sb = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	sb_add(&sb, err->message);
	free(err->message);
	err->message = sb_steal(&sb);
}

void tc_error_clear(tc_error *err)
{
	if (!err)
		return;
	free(err->message);
	free(err->hint);
	free(err->sqlstate);
	err->message = err->hint = err->sqlstate = NULL;
	err->status = TC_OK;
}
