#include "config.h"

#include "app.h"
