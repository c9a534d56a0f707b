/* conninfo: connection strings as an operator may see them. */
#ifndef TC_CONNINFO_H
#define TC_CONNINFO_H

/* A display form of `conninfo` (keyword string or postgresql:// URI) in which
 * every value libpq marks as secret (PQconninfoParse, dispchar '*': password,
 * sslpassword, ...) is replaced by "********". Only keywords that were given
 * are shown, in keyword=value form, quoted where needed. When the string
 * cannot be parsed the result is a placeholder containing none of the input,
 * because a string libpq cannot parse cannot be masked reliably.
 * NULL or "" gives "" . Caller frees. */
char *conninfo_mask(const char *conninfo);

/* True when s looks like a URI rather than a keyword string. */
int conninfo_is_uri(const char *s);

#endif
