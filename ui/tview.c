#include "config.h"

#include "tview.h"
