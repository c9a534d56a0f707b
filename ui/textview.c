#include "config.h"

#include "textview.h"
