// ctnn: neural networks whose architecture is a C++ type. The umbrella header: the core and the
// CPU backend. The Thrust backend is opt-in: <ctnn/backend/thrust.hpp>.
#pragma once

#include "ctnn/backend/cpu.hpp"
#include "ctnn/core.hpp"
