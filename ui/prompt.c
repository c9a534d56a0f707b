#include "config.h"

#include "prompt.h"
