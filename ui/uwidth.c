#include "config.h"

#include "uwidth.h"
