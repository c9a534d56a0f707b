/* Prints the command and option sections of tenantctl(1) as the command
 * table defines them; tests/check-man.sh compares them with the page. */
#include "config.h"

#include <stdio.h>

#include "cmdtab.h"
#include "strbuf.h"

int main(void)
{
	strbuf sb = STRBUF_INIT;
	cmd_man_section(&sb);
	fputs(sb_str(&sb), stdout);
	sb_free(&sb);
	return 0;
}
